"""The support catalogue: programmes the department keeps and matches to firms.

- ``matching``: which programmes fit a firm and in what order (pure);
- ``vocabulary``: the codes a programme may name (pillars, levels, sizes, kinds, needs) and
  their labels;
- ``catalogue``: creating, editing, withdrawing and restoring a programme, audited;
- ``services``: the programmes for one response's result page, and each programme's reach
  in a wave for the dashboard;
- ``forms``: the admin's form.
"""
