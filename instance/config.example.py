# Copy to instance/config.py and adjust. SURVEY_* environment variables override these.

# PostgreSQL in production (psycopg 3 driver):
# DATABASE_URL = "postgresql+psycopg://survey:password@127.0.0.1:5432/survey"

# Behind HTTPS, send the session cookie only over TLS:
# SESSION_COOKIE_SECURE = True

# Post-stratification cells for population estimates (any of: size_group, size_class,
# sector, economic_pillar, ownership, unit, former_area):
# ROLLUP_STRATA = ["size_group", "size_class"]
