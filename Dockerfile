# Roster's image: `docker build -t roster .` (README, "Running in containers").
# Two stages: the first compiles what needs a compiler (bonsai, the LDAP client, against
# libldap/libsasl headers) into a virtualenv; the second is python-slim with only the runtime
# libraries, that virtualenv, and a user without privileges.
# BASE is the image both stages start from: the official slim Python image by default; any
# Debian bookworm image with `python` (3.11 or later, with venv) works, e.g. one made without
# Docker Hub (`--build-arg BASE=roster-base:bookworm`, see scripts/docker_smoke.sh).
ARG PYTHON=3.12-slim-bookworm
ARG BASE=python:${PYTHON}

FROM ${BASE} AS build
# Debian's own Python keeps its C headers (for bonsai) in python3-dev; the official image has
# them already.
RUN headers=$(python -c 'import os, sysconfig; print("" if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else "python3-dev")') \
 && apt-get update \
 && apt-get install -y --no-install-recommends build-essential libldap2-dev libsasl2-dev $headers \
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

FROM ${BASE}
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
# On the port the server listens on (ROSTER_SERVER__PORT may move it, e.g. with --network host).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/livez' % os.environ.get('ROSTER_SERVER__PORT', '8000'), timeout=2)"]
# SIGTERM: running requests get server.shutdown_timeout_seconds (30 s) to finish.
STOPSIGNAL SIGTERM
ENTRYPOINT ["roster"]
CMD ["serve"]
