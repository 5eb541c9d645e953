# Build stage: the Swift toolchain with the C libraries' headers.
FROM swift:6.3-bookworm AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpq-dev libssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY Benchmarks ./Benchmarks
RUN swift build -c release --product transact --static-swift-stdlib \
    && cp "$(swift build -c release --show-bin-path)/transact" /transact

# Run stage: only the binary, its migrations and configuration, and the shared libraries it links.
FROM debian:bookworm-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpq5 libssl3 ca-certificates curl tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /app transact
WORKDIR /app
COPY --from=build /transact /usr/local/bin/transact
COPY Migrations ./Migrations
COPY Config ./Config
COPY openapi.yaml ./openapi.yaml
USER transact
EXPOSE 8080
ENTRYPOINT []
CMD ["transact", "serve"]
