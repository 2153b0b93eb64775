#!/usr/bin/env bash
# Makes the certificate files the certfiles unit tests read, in DIR, with the tools an
# operator uses (openssl, Debian's keytool), and the independent tools' view of them for the
# cross-checks: `openssl x509 -fingerprint -enddate`, `openssl pkcs12 -info`, `keytool -list -v`.
# Usage: make_cert_files.sh DIR   (run by certfiles_test; a few seconds, keytool's JVM). Every
# test case is its own process under ctest, so the files are made once per build tree: a
# lock serialises concurrent cases and a stamp (this script's checksum) says they are there.
set -euo pipefail
dir="$1"
stamp="$(sha256sum "$0" | cut -d' ' -f1)"
mkdir -p "$dir"
exec 9>"$dir.lock"
flock 9
if [[ -f "$dir/.made" && "$(cat "$dir/.made")" == "$stamp" ]]; then
  exit 0
fi
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
quiet() { "$@" >/dev/null 2>&1; }

quiet openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
  -out ca.pem -days 3650 -subj "/CN=Test Root CA"
quiet openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key \
  -out leaf.csr -subj "/CN=www.example.test"
printf 'subjectAltName=DNS:www.example.test,DNS:*.api.example.test,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' >leaf.ext
quiet openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 90 \
  -extfile leaf.ext -out leaf.pem
cat leaf.pem ca.pem >chain.pem
openssl x509 -in leaf.pem -outform DER -out leaf.der
cat leaf.der <(openssl x509 -in ca.pem -outform DER) >chain.der
cp leaf.key key_only.pem

# PKCS#12: with a password (OpenSSL 3 defaults: AES-256-CBC, HMAC-SHA256) and with none.
openssl pkcs12 -export -in leaf.pem -inkey leaf.key -certfile ca.pem -name site \
  -passout pass:changeit -out bundle.p12
openssl pkcs12 -export -in leaf.pem -inkey leaf.key -certfile ca.pem -name site \
  -passout pass: -out nopass.p12
printf 'changeit\n' >password.txt
printf 'wrongpass\n' >wrong_password.txt

# Java keystores as Tomcat reads them: JKS (private key entry with its chain, plus a trusted
# certificate entry) and a PKCS12 keystore made by keytool (Java 17's own encryption).
quiet keytool -importkeystore -srckeystore bundle.p12 -srcstoretype PKCS12 -srcstorepass changeit \
  -destkeystore keystore.jks -deststoretype JKS -deststorepass changeit -noprompt
quiet keytool -importcert -alias root -file ca.pem -keystore keystore.jks -storetype JKS \
  -storepass changeit -noprompt
quiet keytool -importkeystore -srckeystore keystore.jks -srcstoretype JKS -srcstorepass changeit \
  -destkeystore keystore.p12 -deststoretype PKCS12 -deststorepass changeit -noprompt

# The independent tools' view, for the cross-checks.
openssl x509 -in leaf.pem -noout -fingerprint -sha256 -enddate -startdate -serial \
  -dateopt iso_8601 >leaf.openssl.txt
openssl x509 -in ca.pem -noout -fingerprint -sha256 >ca.openssl.txt
openssl pkcs12 -in bundle.p12 -passin pass:changeit -info -nokeys 2>pkcs12.info.txt |
  openssl x509 -noout -fingerprint -sha256 >pkcs12.first.txt
keytool -list -v -keystore keystore.jks -storetype JKS -storepass changeit >keytool.jks.txt 2>&1
keytool -list -v -keystore keystore.p12 -storetype PKCS12 -storepass changeit >keytool.p12.txt 2>&1
echo "$stamp" >.made
