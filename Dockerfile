# Aperçu: the binary on a distroless base (glibc, CA roots, no shell), with the Noto fonts that
# draw the scripts the bundled fonts lack (CJK, emoji, Indic, Thai…).
#   docker build -t apercu .
#   docker run -p 8080:8080 -e APERCU_PUBLIC_URL=https://preview.example.com apercu
# `.ci/run` lints this file (hadolint), checks that what it copies exists, and runs the binary
# the way this image does (tests/api/docker_image.rs).

FROM rust:1.95-slim-bookworm AS build
# make builds jemalloc, the binary's allocator; cmake and nasm build libjpeg-turbo (the card's
# JPEG encoder, linked statically, with its SIMD code).
RUN apt-get update \
 && apt-get install -y --no-install-recommends make=4.3-4.1 cmake=3.25.1-1 nasm=2.16.01-1 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies in their own layer, rebuilt only when the manifest or the lock file change: the
# crate's own targets are stand-ins here.
COPY Cargo.toml Cargo.lock ./
COPY .cargo .cargo
RUN mkdir -p src benches examples \
 && echo 'fn main() {}' > src/main.rs \
 && touch src/lib.rs \
 && for target in benches/extract.rs benches/card.rs benches/signing.rs examples/extract_corpus.rs; do echo 'fn main() {}' > "$target"; done \
 && cargo build --release --locked --bin apercu \
 && rm -rf src benches examples
COPY src src
COPY templates templates
COPY fonts fonts
COPY assets assets
COPY benches benches
COPY examples examples
# The stand-ins are newer than the real sources' copy times: touch so cargo rebuilds the crate.
RUN touch src/main.rs src/lib.rs \
 && cargo build --release --locked --bin apercu

FROM debian:bookworm-slim AS fonts
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      fonts-noto-cjk=1:20220127+repack1-1 \
      fonts-noto-color-emoji=2.042-0+deb12u1 \
      fonts-noto-core=20201225-1 \
 && rm -rf /var/lib/apt/lists/*

FROM gcr.io/distroless/cc-debian12:nonroot
# Sans CJK only (regular and bold, the weights cards use); the serif faces would add 40 MB.
COPY --from=fonts /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc /usr/share/fonts/opentype/noto/
COPY --from=fonts /usr/share/fonts/truetype/noto/ /usr/share/fonts/truetype/noto/
COPY --from=build /src/target/release/apercu /usr/local/bin/apercu
ENV APERCU_LISTEN=0.0.0.0:8080 \
    APERCU_LOG_FORMAT=json \
    APERCU_FONTS_DIR=/usr/share/fonts/opentype/noto:/usr/share/fonts/truetype/noto
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/apercu", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/apercu"]
CMD ["serve"]
