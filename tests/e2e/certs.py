"""Certificates for the end-to-end scenario, generated at run time (python3-cryptography).

A trusted CA signs the expiring, healthy and admin leaves; a second CA that the agent does not
trust signs the leaf of the failing-verification endpoint. Each server presents leaf + CA, so
the chain has positions 0 and 1. The chain endpoint presents leaf + an intermediate of the
trusted CA that expires long before the leaf; a discovered listener presents a self-signed
leaf alone.
"""
import datetime as dt
import ipaddress

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

DAY = dt.timedelta(days=1)


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _ca_extensions(builder, path_length):
    return (builder
            .add_extension(x509.BasicConstraints(ca=True, path_length=path_length),
                           critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                         crl_sign=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False,
                                         decipher_only=False), critical=True))


def make_ca(cn):
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - DAY).not_valid_after(now + 3650 * DAY))
    return _ca_extensions(builder, 1).sign(key, hashes.SHA256()), key


def make_intermediate(ca, cn, not_before, not_after):
    """A CA certificate for `cn` signed by ca = (cert, key); its validity is the caller's."""
    ca_cert, ca_key = ca
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(ca_cert.subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after))
    return _ca_extensions(builder, 0).sign(ca_key, hashes.SHA256()), key


def make_leaf(ca, cn, not_before, not_after):
    """A leaf for `cn` (also valid for 127.0.0.1), signed by ca = (cert, key); ca None makes
    it self-signed."""
    key = ec.generate_private_key(ec.SECP256R1())
    issuer_cert, issuer_key = ca if ca else (None, key)
    san = x509.SubjectAlternativeName([x509.DNSName(cn),
                                       x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    cert = (x509.CertificateBuilder().subject_name(_name(cn))
            .issuer_name(issuer_cert.subject if issuer_cert else _name(cn))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(san, critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(issuer_key, hashes.SHA256()))
    return cert, key


def write_server_files(directory, name, leaf, *chain_certs):
    """Writes <name>.chain.pem (leaf, then chain_certs in order) and <name>.key.pem; returns
    both paths."""
    cert, key = leaf
    chain = directory / f"{name}.chain.pem"
    key_path = directory / f"{name}.key.pem"
    chain.write_bytes(_pem(cert) + b"".join(_pem(c) for c in chain_certs))
    key_path.write_bytes(_key_pem(key))
    return chain, key_path


def write_ca(directory, name, ca_cert):
    path = directory / f"{name}.pem"
    path.write_bytes(_pem(ca_cert))
    return path
