# syntax=docker/dockerfile:1
# portwarden container image: multi-stage on Debian 12, Debian packages only.
#
# Build:  docker build -t portwarden .
# Run:    docker run --net=host --pid=host --cap-drop=ALL \
#           --cap-add=DAC_READ_SEARCH --cap-add=SYS_PTRACE --user 0 portwarden
#         (host network and PID namespaces so the agent sees the host's listeners and their
#         processes; as non-root it still runs, with process attribution limited to its own.)
#
# Built and run for real by `make test-image` (tests/deploy/image/check_image.sh: buildah with
# chroot isolation, from a debian:bookworm-slim base made locally by mmdebstrap; opt-in, as it
# compiles the agent from scratch). Every `make test` also checks that the runtime stage's
# package list covers the .deb's dpkg-shlibdeps Depends (tests/deploy/check_package.sh).

FROM debian:bookworm-slim AS build
WORKDIR /src
COPY .ci/install-deps.sh .ci/install-deps.sh
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && bash .ci/install-deps.sh build \
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake --preset release -DPORTWARDEN_BUILD_TESTS=OFF \
 && cmake --build --preset release --target portwarden \
 && DESTDIR=/out cmake --install build/release --prefix /usr --strip

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates curl libprometheus-cpp-core1.0 libyaml-cpp0.7 libcrypt1 libnftables1 \
      libspdlog1.10 libfmt9 libtomlplusplus3 libcurl4 libssl3 \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 65532 portwarden \
 && useradd --system --uid 65532 --gid portwarden --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin portwarden
COPY --from=build /out/usr/bin/portwarden /usr/bin/portwarden
COPY --from=build /out/etc/portwarden/portwarden.toml /etc/portwarden/portwarden.toml
COPY --from=build /out/usr/share/doc/portwarden/copyright /usr/share/doc/portwarden/copyright
USER portwarden:portwarden
EXPOSE 19443
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:19443/-/healthy"]
ENTRYPOINT ["/usr/bin/portwarden"]
CMD ["--config.file=/etc/portwarden/portwarden.toml", "--web.listen-address=:19443"]
