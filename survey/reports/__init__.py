"""The one definition of the city's reports: what every figure, filter and export agrees on.

The dashboard, the public summary, the summary workbook (web and command line), the
responses workbook, the list of responses and the invitations all used to carry their own
copy of these rules, and the copies drifted: different breakdowns in the web and CLI
workbooks, a privacy threshold of 5 hard-coded beside the configured one, three spellings
of one filter. Each rule now lives here once:

- ``dimensions``: the nouns every report speaks (economic pillar, sector, unit, …) and
  where each is found on a response or a register firm;
- ``filters``: the filter vocabulary, its one parser and its one SQL translation;
- ``counted``: which responses count in a figure;
- ``breakdowns``: which breakdowns each report shows, and why some show fewer;
- ``privacy``: the minimum group size, from the configuration.

This package sits below ``survey.statistics`` (which imports it), so it imports nothing
of statistics, dashboards or exports: only the models. Nothing is imported here, so
``import survey.reports.counted`` loads no more than it needs.
"""
