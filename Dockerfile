# The production image: the same program as in development, run by gunicorn and Celery.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm postgresql-client-15 \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core libfribidi0 \
    && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml README.md ./
COPY alliance ./alliance
COPY members ./members
COPY campaigns ./campaigns
COPY statements ./statements
COPY osdi ./osdi
RUN pip install .

COPY . .
# Static files as production serves them: hashed names in a manifest, with .br and .gz
# copies that WhiteNoise sends to browsers that take them (DEBUG=1 only stands in for the
# SECRET_KEY the build does not have). npm leaves out what only the tests use.
RUN NPM_CONFIG_OMIT=dev bash scripts/assets.sh \
    && pybabel compile -d locale -D django \
    && DEBUG=1 STATIC_MANIFEST=1 python manage.py collectstatic --noinput

RUN useradd --system --home /app alliance && mkdir -p /app/media && chown -R alliance /app
USER alliance
EXPOSE 8000
CMD ["gunicorn", "alliance.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--no-control-socket"]
