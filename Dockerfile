# syntax=docker/dockerfile:1
# portwarden container image: multi-stage on Debian 12, Debian packages only.
#
# Build:  docker build -t portwarden .
# Run:    docker run --net=host --pid=host --cap-drop=ALL \
#           --cap-add=DAC_READ_SEARCH --cap-add=SYS_PTRACE --user 0 portwarden
#         (host network and PID namespaces so the agent sees the host's listeners and their
#         processes; as non-root it still runs, with process attribution limited to its own.)
#
# Not built in this project's CI: the development machines have no Docker engine. What can be
# checked here is: the build stage runs the same commands as the README (.ci/install-deps.sh,
# then the `release` CMake preset), and the runtime package list matches the build's
# dpkg-shlibdeps Depends (tests/deploy check the .deb built by the same CMake project).

FROM debian:bookworm-slim AS build
WORKDIR /src
COPY .ci/install-deps.sh .ci/install-deps.sh
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && bash .ci/install-deps.sh \
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake --preset release -DPORTWARDEN_BUILD_TESTS=OFF \
 && cmake --build --preset release \
 && DESTDIR=/out cmake --install build/release --prefix /usr --strip

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates curl libprometheus-cpp-core1.0 libyaml-cpp0.7 libcrypt1 \
      libspdlog1.10 libfmt9 libtomlplusplus3 libcurl4 libssl3 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 65532 portwarden \
 && useradd --system --uid 65532 --gid portwarden --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin portwarden
COPY --from=build /out/usr/bin/portwarden /usr/bin/portwarden
COPY --from=build /out/etc/portwarden/portwarden.toml /etc/portwarden/portwarden.toml
USER portwarden:portwarden
EXPOSE 19443
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:19443/-/healthy"]
ENTRYPOINT ["/usr/bin/portwarden"]
CMD ["--config.file=/etc/portwarden/portwarden.toml", "--web.listen-address=:19443"]
