#!/usr/bin/env python3
"""[[certificates]] cost: a cold read of N certificate files (PEM chains, DER, PKCS#12 and
JKS in equal parts) and a warm cycle over them unchanged, CPU per file, against the peer an
operator would script: one `openssl x509 -noout -enddate` (or `openssl pkcs12 -nokeys`,
`keytool -list`) per file, measured in the same run. Only the openssl x509 peer is timed per
file here (keytool's JVM start-up would dwarf everything).
usage: tests/bench/cert_file_bench.py BUILD_DIR [FILES]"""
import os
import resource
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main():
    build = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 400
    tmp = tempfile.mkdtemp(prefix="portwarden-certbench-")
    try:
        made = os.path.join(tmp, "made")
        subprocess.run([os.path.join(ROOT, "tests", "unit", "certfiles", "make_cert_files.sh"),
                        made], check=True)
        files = os.path.join(tmp, "files")
        os.makedirs(files)
        kinds = ["chain.pem", "chain.der", "nopass.p12", "keystore.jks"]
        for i in range(count):
            kind = kinds[i % len(kinds)]
            shutil.copy(os.path.join(made, kind), os.path.join(files, "%04d-%s" % (i, kind)))
        out = subprocess.run([os.path.join(build, "tests", "bench", "cert_file_cycles"), files,
                              "200"], check=True, capture_output=True, text=True).stdout
        fields = dict(item.split("=") for item in out.split())
        pems = [f for f in sorted(os.listdir(files)) if f.endswith("chain.pem")]
        before = children_cpu()
        for name in pems:
            subprocess.run(["openssl", "x509", "-noout", "-enddate", "-in",
                            os.path.join(files, name)], check=True, capture_output=True)
        peer = (children_cpu() - before) / len(pems) * 1e6
        cold, warm = float(fields["cold_cpu_us_per_file"]), float(fields["warm_cpu_us_per_file"])
        print(out.strip())
        print("peer openssl_x509_cpu_us_per_file=%.0f (PEM chains only)" % peer)
        print("ratio cold/peer=%.4f warm/peer=%.5f warm/cold=%.4f" % (cold / peer, warm / peer,
                                                                     warm / cold))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
