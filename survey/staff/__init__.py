"""The staff workspace: accounts, responses and review, waves, register, invitations, audit."""
