"""The credentials the shipped deployments give the agent, read from the deploy/ files
themselves (one source of truth: the tests run with what these files say, not with a copy).

unit_setpriv() turns deploy/systemd/portwarden.service into a `setpriv` prefix: a non-root
uid and gid from the DynamicUser range, no supplementary groups, and exactly the unit's
AmbientCapabilities as inheritable, ambient and bounding sets (so no CAP_SYS_ADMIN: setns()
fails, as RestrictNamespaces=yes makes it fail under systemd)."""
import os
import re

import yaml

SOURCE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
UNIT = os.path.join(SOURCE, "deploy", "systemd", "portwarden.service")
DAEMONSET = os.path.join(SOURCE, "deploy", "kubernetes", "daemonset.yaml")
CONFIGMAP = os.path.join(SOURCE, "deploy", "kubernetes", "configmap.yaml")
CONFIG = os.path.join(SOURCE, "deploy", "portwarden.toml")

DYNAMIC_UID = 61184  # the first uid systemd's DynamicUser= allocates
NOBODY = 65534


def unit_directives(path=UNIT):
    """Directive -> list of values (a directive may repeat), from the [Service] section."""
    values, section = {}, None
    with open(path, encoding="utf-8") as unit:
        for line in unit:
            line = line.strip()
            if line.startswith("["):
                section = line
            elif section == "[Service]" and "=" in line and not line.startswith("#"):
                key, value = line.split("=", 1)
                values.setdefault(key, []).append(value)
    return values


def unit_capabilities():
    """The unit's capabilities, e.g. ["CAP_DAC_READ_SEARCH", "CAP_SYS_PTRACE"]; checks that
    the ambient and bounding sets agree, that it runs as a DynamicUser and forbids setns."""
    d = unit_directives()
    ambient = sorted(" ".join(d["AmbientCapabilities"]).split())
    bounding = sorted(" ".join(d["CapabilityBoundingSet"]).split())
    assert ambient == bounding, (ambient, bounding)
    assert d.get("DynamicUser") == ["yes"], d.get("DynamicUser")
    assert d.get("RestrictNamespaces") == ["yes"], d.get("RestrictNamespaces")
    assert "User" not in d
    return ambient


def daemonset_capabilities():
    """The DaemonSet container's added capabilities, as CAP_ names; checks it drops ALL."""
    with open(DAEMONSET, encoding="utf-8") as manifest:
        spec = yaml.safe_load(manifest)["spec"]["template"]["spec"]
    assert spec.get("hostPID") is True and spec.get("hostNetwork") is True
    (container,) = spec["containers"]
    caps = container["securityContext"]["capabilities"]
    assert caps["drop"] == ["ALL"], caps
    assert container["securityContext"].get("privileged") is False
    return sorted("CAP_" + c for c in caps["add"])


def configmap_toml():
    with open(CONFIGMAP, encoding="utf-8") as manifest:
        return yaml.safe_load(manifest)["data"]["portwarden.toml"]


def setpriv(uid, caps):
    """A setpriv prefix: `uid` as real and effective uid and gid, no groups, `caps` only."""
    names = ",".join("+" + re.sub("^CAP_", "", c).lower() for c in caps)
    prefix = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
    if caps:
        return prefix + [f"--inh-caps=-all,{names}", f"--ambient-caps=-all,{names}",
                         f"--bounding-set=-all,{names}"]
    return prefix + ["--inh-caps=-all", "--bounding-set=-all"]


def unit_setpriv():
    return setpriv(DYNAMIC_UID, unit_capabilities())


def nobody_setpriv():
    return setpriv(NOBODY, [])
