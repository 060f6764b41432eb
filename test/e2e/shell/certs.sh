# shellcheck shell=bash
# Certificates for the e2e cluster, made with openssl: one CA, the apiserver's serving
# certificate, client certificates for each component, and the service-account key pair.
# Sourced by cluster.sh; writes under $PKI and keeps what already exists.

# new_cert NAME CN ORG [SANS]: a CA-signed EC certificate; client and server usage so one
# file serves both roles where a component needs both.
new_cert() {
  local name=$1 cn=$2 org=$3 sans=${4:-}
  [ -s "$PKI/$name.crt" ] && return 0
  local subj="/CN=$cn"
  [ -n "$org" ] && subj="/O=$org$subj"
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/$name.key" 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"
    [ -n "$sans" ] && echo "subjectAltName=$sans"
  } > "$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 825 -sha256 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

make_pki() {
  mkdir -p "$PKI"
  chmod 700 "$PKI"
  if [ ! -s "$PKI/ca.crt" ]; then
    openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/ca.key" 2>/dev/null
    openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=e2e-kubernetes-ca" -days 3650 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -out "$PKI/ca.crt" 2>/dev/null
  fi
  new_cert apiserver kube-apiserver "" \
    "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:$SERVICE_IP"
  # The apiserver calls the kubelet (logs, exec) as a member of system:masters, which the
  # kubelet's webhook authorizer lets through.
  new_cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
  new_cert admin e2e-admin system:masters
  new_cert controller-manager system:kube-controller-manager ""
  new_cert scheduler system:kube-scheduler ""
  # The Node authorizer and NodeRestriction know a kubelet by this name and group.
  new_cert kubelet "system:node:$NODE_NAME" system:nodes "DNS:$NODE_NAME,DNS:localhost,IP:$NODE_IP"
  if [ ! -s "$PKI/sa.key" ]; then
    openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  fi
}

# write_kubeconfig FILE CERT_NAME: a kubeconfig that reaches the apiserver as that client.
write_kubeconfig() {
  local file=$1 name=$2
  cat > "$file" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority: $PKI/ca.crt
users:
- name: $name
  user:
    client-certificate: $PKI/$name.crt
    client-key: $PKI/$name.key
contexts:
- name: e2e
  context: {cluster: e2e, user: $name}
current-context: e2e
YAML
}
