# The district badge service: one image for the web processes, the job workers and the
# one-shot migration (docker-compose.yml). Debian's WeasyPrint libraries and fonts.
FROM python:3.12-slim-bookworm
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libcairo2 libharfbuzz0b libharfbuzz-subset0 \
      fonts-dejavu-core fonts-noto-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/badges
COPY . .
# gcc only for the build: it compiles the JSON-LD hot path (badges/native.py), and the build
# fails unless every module of it was compiled; then it is removed from the image.
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc libc6-dev \
 && find . -name '*.so' -delete \
 && pip install --no-cache-dir . \
 && (cd / && python -c "import badges.native as n; c = n.compiled(); assert all(c.values()), c") \
 && apt-get purge -y -qq --auto-remove gcc libc6-dev && rm -rf /var/lib/apt/lists/* build \
 && useradd --system --home /srv/badges badges \
 && mkdir -p /var/lib/badges && chown badges /var/lib/badges
USER badges
ENV BADGES_INSTANCE_PATH=/var/lib/badges
EXPOSE 8000
CMD ["badges", "serve", "--host", "0.0.0.0", "--port", "8000"]
