"""Builds a certificate whose names no certificate tool would write: a T61String subject CN with bytes above 0x7F, NUL and terminal escape sequences (OpenSSL reads
T61String as Latin-1), a UTF8String issuer CN with an OSC escape sequence, and a
subjectAltName dNSName (IA5String, copied byte for byte by OpenSSL) with bytes that are not
UTF-8 and control characters. (A UTF8String CN that is not UTF-8 cannot be served: OpenSSL
refuses to decode such a certificate at all; tests/unit/probe covers that name in memory.)

python3-cryptography only accepts well-formed text, so the certificate is built with
same-length placeholders, the placeholders are patched in the DER of the to-be-signed part
(lengths do not change), and that part is signed again with the key. Usage:
    hostile_cert.py CERT_PEM KEY_PEM
"""
import base64
import datetime
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

CN_PLACEHOLDER = b"CNPLACEHOLDER-16"
CN_HOSTILE = b"bad\xff\xfe\x1b[31m\nCN\x00xy"         # 16 bytes
SAN_PLACEHOLDER = b"sanplaceholder16"
SAN_HOSTILE = b"\xff\xfe\x1b]0;pwn\x07\n\xc0\xafzzz"     # 16 bytes
ISSUER_CN = "issuer \x1b]0;pwned\x07 CA"

assert len(CN_HOSTILE) == len(CN_PLACEHOLDER) and len(SAN_HOSTILE) == len(SAN_PLACEHOLDER)


def der_length(n):
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag, body):
    return bytes([tag]) + der_length(len(body)) + body


def read_tlv(data, at):
    """(total length) of the TLV starting at `at`."""
    length = data[at + 1]
    if length < 0x80:
        return 2 + length
    n = length & 0x7F
    return 2 + n + int.from_bytes(data[at + 2:at + 2 + n], "big")


def build(cert_path, key_path):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CN_PLACEHOLDER.decode(),
                                            _ASN1Type.T61String)])
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER_CN,
                                           _ASN1Type.UTF8String)])
    cert = (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(issuer)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName(SAN_PLACEHOLDER.decode() + ".example"),
                 x509.DNSName("good.example")]), critical=False)
            .sign(key, hashes.SHA256()))
    der = cert.public_bytes(serialization.Encoding.DER)
    tbs = cert.tbs_certificate_bytes
    start = der.index(tbs)
    alg_at = start + len(tbs)
    algorithm = der[alg_at:alg_at + read_tlv(der, alg_at)]
    for old, new in ((CN_PLACEHOLDER, CN_HOSTILE), (SAN_PLACEHOLDER, SAN_HOSTILE)):
        assert tbs.count(old) == 1, old
        tbs = tbs.replace(old, new)
    signature = key.sign(tbs, ec.ECDSA(hashes.SHA256()))
    patched = tlv(0x30, tbs + algorithm + tlv(0x03, b"\x00" + signature))
    with open(cert_path, "w") as out:
        out.write("-----BEGIN CERTIFICATE-----\n")
        encoded = base64.b64encode(patched).decode()
        for i in range(0, len(encoded), 64):
            out.write(encoded[i:i + 64] + "\n")
        out.write("-----END CERTIFICATE-----\n")
    with open(key_path, "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))


if __name__ == "__main__":
    build(sys.argv[1], sys.argv[2])
