#include "agent/probe/handshake_evidence.h"

#include <openssl/ct.h>
#include <openssl/ocsp.h>

namespace portwarden::probe {
namespace {

// The SSL_CTX ex_data slot that marks a context built with RequestEvidence().
int EvidenceIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

}  // namespace

std::shared_ptr<const HandshakeEvidence> CollectEvidence(SSL* ssl,
                                                         const STACK_OF(X509) * presented) {
  if (SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), EvidenceIndex()) == nullptr) {
    return nullptr;
  }
  auto evidence = std::make_shared<HandshakeEvidence>();
  const STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
  if (chain == nullptr || sk_X509_num(chain) == 0) {
    chain = presented;
  }
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    unsigned char* der = nullptr;
    const int length = i2d_X509(sk_X509_value(chain, i), &der);
    if (length > 0) {
      evidence->chain_der.emplace_back(reinterpret_cast<const char*>(der),
                                       static_cast<std::size_t>(length));
    }
    OPENSSL_free(der);
  }
  const unsigned char* ocsp = nullptr;
  const long ocsp_length = SSL_get_tlsext_status_ocsp_resp(ssl, &ocsp);
  if (ocsp != nullptr && ocsp_length > 0) {
    evidence->ocsp_response.assign(reinterpret_cast<const char*>(ocsp),
                                   static_cast<std::size_t>(ocsp_length));
  }
  const STACK_OF(SCT)* scts = SSL_get0_peer_scts(ssl);
  for (int i = 0; scts != nullptr && i < sk_SCT_num(scts); ++i) {
    const sct_source_t source = SCT_get_source(sk_SCT_value(scts, i));
    evidence->handshake_scts +=
        source == SCT_SOURCE_TLS_EXTENSION || source == SCT_SOURCE_OCSP_STAPLED_RESPONSE ? 1 : 0;
  }
  return evidence;
}

bool RequestEvidence(SSL_CTX* ctx) {
  static int marker = 1;
  return SSL_CTX_set_ex_data(ctx, EvidenceIndex(), &marker) == 1 &&
         SSL_CTX_set_tlsext_status_type(ctx, TLSEXT_STATUSTYPE_ocsp) == 1 &&
         SSL_CTX_enable_ct(ctx, SSL_CT_VALIDATION_PERMISSIVE) == 1;
}

}  // namespace portwarden::probe
