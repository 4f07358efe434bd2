# The grader as a container image: CPU torch, this package, the data, a non-root default user, and
# `python -m autograder grade` as the entrypoint (docker/entrypoint.sh).
#
#   docker build -t d2l-grader:cpu .                       # the data from ./data (see below)
#   docker run --rm --network none -v "$PWD/alice:/submission:ro" -v "$PWD/out:/reports" \
#       d2l-grader:cpu /submission --out /reports/alice
#   docker run --rm --user root --cap-add SYS_ADMIN --security-opt apparmor=unconfined --network none \
#       -v "$PWD/subs:/submissions:ro" -v "$PWD/out:/reports" d2l-grader:cpu grade-all /submissions --out /reports
#
# Which sandbox row of the README applies (the entrypoint prints it):
# - default (user `grader`, uid 1000): "Linux, not root": namespaces only where the runtime lets an
#   unprivileged user create them (rootless Podman does; Docker's default seccomp profile does not),
#   otherwise rlimits and a new session only. Keep --network none then: the container is the boundary.
# - `--user root --cap-add SYS_ADMIN` (what deploy/kubernetes does): "Linux, root, unshare works":
#   mount/network/pid namespaces, a uid per slot (61000+), the process cap. Nothing else runs as root:
#   the grader (judges) as root, the students' code as the slot's uid.
# - `--user root` without SYS_ADMIN: "root, no namespaces": the uid switch and process cap; the image
#   has already closed the solutions and hidden checks to other users (chmod below).
#
# The CUDA variant: build with --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu128 and
# --build-arg BASE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 (then PYTHON=python3 from apt, see the
# BASE notes below), run with --gpus all and `--device cuda`; the profile is measured by the first
# grading on the GPU (no GPU at build time).
ARG BASE=python:3.11-slim-bookworm
FROM ${BASE}
ARG TORCH_VERSION=2.13.0
ARG TORCHVISION_VERSION=0.28.0
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
# Optional: a folder of wheels mounted at build time (podman build -v /opt/wheels:/opt/wheels:ro), the CA
# bundle of a TLS-intercepting proxy (PIP_CERT, mounted the same way), and
# what the build-time profile measures (default every chapter; e.g. "--chapters 3" for a quick image).
ARG PIP_FIND_LINKS=
ARG PIP_CERT=
ARG PROFILE_ARGS=
# BASE must have python3 with venv; util-linux gives unshare (present in Debian's base images).
RUN if ! python3 -m venv --help >/dev/null 2>&1; then \
      apt-get update && apt-get install -y --no-install-recommends python3 python3-venv && rm -rf /var/lib/apt/lists/*; fi \
 && command -v unshare >/dev/null
ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH D2L_DATA_DIR=/opt/d2l/data D2L_NO_DOWNLOAD=1 MPLBACKEND=Agg \
    PYTHONDONTWRITEBYTECODE=1 XDG_CACHE_HOME=/opt/d2l/cache
RUN python3 -m venv /opt/venv && python -m pip install --no-cache-dir --upgrade pip \
 && if [ -n "$TORCH_INDEX" ]; then \
      python -m pip install --no-cache-dir "torch==${TORCH_VERSION}" "torchvision==${TORCHVISION_VERSION}" --index-url "$TORCH_INDEX"; \
    else python -m pip install --no-cache-dir "torch==${TORCH_VERSION}" "torchvision==${TORCHVISION_VERSION}"; fi
WORKDIR /opt/d2l/course
COPY pyproject.toml README.md conftest.py ./
COPY autograder ./autograder
COPY solutions ./solutions
COPY d2lkit ./d2lkit
COPY exercises ./exercises
COPY tests/book ./tests/book
# editable: the one copy of the solutions is /opt/d2l/course (README: grade with one checkout)
RUN python -m pip install --no-cache-dir -e . copydetect
# The data sets: ./data in the build context, laid out like shared/data (cp -r ../shared/data data).
COPY data /opt/d2l/data
COPY docker/entrypoint.sh /usr/local/bin/d2l-entrypoint
RUN chmod 755 /usr/local/bin/d2l-entrypoint \
 && python -c "from d2lkit.data import read_fashion_mnist, read_time_machine_text, kaggle_house_paths; read_fashion_mnist(True); read_fashion_mnist(False); read_time_machine_text(); kaggle_house_paths()" \
 && chmod -R go-rwx solutions autograder/checks/hidden tests \
 && chmod -R a+rX /opt/d2l/data /opt/venv \
 && useradd --create-home --uid 1000 grader \
 && mkdir -p /opt/d2l/cache /reports && chown grader /opt/d2l/cache /reports
# The reference profile (time limits, curves), measured once at build time (as root: the sandbox's uid switch).
RUN python -m autograder profile --device cpu --cache /opt/d2l/cache/d2l-exercises/grading ${PROFILE_ARGS} \
 && chmod -R a+rX /opt/d2l/cache
USER grader
ENTRYPOINT ["/usr/local/bin/d2l-entrypoint"]
CMD ["--help"]
