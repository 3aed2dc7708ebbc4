# Roster's image: `docker build -t roster .` (README, "Running in containers").
# Two stages: the first compiles what needs a compiler (bonsai, the LDAP client, against
# libldap/libsasl headers) into a virtualenv; the second is python-slim with only the runtime
# libraries, that virtualenv, and a user without privileges.
ARG PYTHON=3.12-slim-bookworm

FROM python:${PYTHON} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential libldap2-dev libsasl2-dev \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/roster
WORKDIR /src
# Only what the package is built from (.dockerignore keeps the rest out of the context).
COPY pyproject.toml README.md ./
COPY app app
COPY schema schema
COPY resolvers resolvers
COPY loaders loaders
COPY datasources datasources
COPY domain domain
COPY migrations migrations
RUN /opt/roster/bin/pip install --no-cache-dir ".[ldap]"

FROM python:${PYTHON}
RUN apt-get update \
 && apt-get install -y --no-install-recommends libldap-2.5-0 libsasl2-2 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/roster --create-home roster
COPY --from=build /opt/roster /opt/roster
ENV PATH=/opt/roster/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ROSTER_SERVER__HOST=0.0.0.0 \
    ROSTER_SERVER__PORT=8000
USER roster
WORKDIR /var/lib/roster
EXPOSE 8000
# /livez does no I/O: a database outage does not get the container restarted (/readyz says it).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/livez', timeout=2)"]
# SIGTERM: running requests get server.shutdown_timeout_seconds (30 s) to finish.
STOPSIGNAL SIGTERM
ENTRYPOINT ["roster"]
CMD ["serve"]
