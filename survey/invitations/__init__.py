"""Personal invitation links of the register's firms: issue, revoke, reissue, follow up."""
