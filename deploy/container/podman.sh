# shellcheck shell=bash
# Sourced by build.sh and check.sh: the podman flags this host needs, found by looking, not assumed.
# SOLRULES_PODMAN_FLAGS replaces them (e.g. SOLRULES_PODMAN_FLAGS="" on a plain Docker-like host).
podman_host_flags() {
  local flags=()
  # Hybrid cgroups (v1 controllers plus a cgroup2 mount at /sys/fs/cgroup/unified): crun 1.8
  # refuses them ("cgroups in hybrid mode not supported"); runc handles them.
  if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" != cgroup2fs ] && [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
    command -v runc >/dev/null || { echo "hybrid cgroups here: crun cannot run containers; apt-get install runc" >&2; return 1; }
    flags+=(--runtime runc)
  fi
  # Without CAP_SYS_RESOURCE (a sandbox that drops it) podman's default limits (nofile 1048576)
  # cannot be set: ask for limits below this host's.
  local capeff
  capeff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
  if [ -n "$capeff" ] && (( (16#$capeff >> 24 & 1) == 0 )); then
    flags+=(--ulimit nofile=16384:16384 --ulimit nproc=16384:16384)
  fi
  echo "${flags[@]}"
}

# PODMAN_FLAGS is read by the scripts that source this file
# shellcheck disable=SC2034
if [ -n "${SOLRULES_PODMAN_FLAGS+x}" ]; then
  read -r -a PODMAN_FLAGS <<<"$SOLRULES_PODMAN_FLAGS"
else
  read -r -a PODMAN_FLAGS <<<"$(podman_host_flags)"
fi
