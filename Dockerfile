# Aperçu: one static-ish binary on a slim Debian, with the fonts that draw every script.
# Build: docker build -t apercu .      Run: docker run -p 8080:8080 apercu

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY templates templates
COPY fonts fonts
COPY assets assets
COPY benches benches
COPY examples examples
COPY tests tests
RUN cargo build --release --locked --bin apercu

FROM debian:bookworm-slim
# ca-certificates: HTTPS origins are verified against the system's roots.
# fonts-noto-*: CJK, emoji and the scripts the bundled fonts lack (APERCU_FONTS_DIR is not
# needed: /usr/share/fonts is searched).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home apercu
COPY --from=build /src/target/release/apercu /usr/local/bin/apercu
USER apercu
ENV APERCU_LISTEN=0.0.0.0:8080 \
    APERCU_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s CMD ["apercu", "healthcheck"]
ENTRYPOINT ["apercu"]
CMD ["serve"]
