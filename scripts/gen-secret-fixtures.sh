#!/usr/bin/env bash
# Regenerates test/fixtures/secret/ with the real nelm v1.24.3 (werf v2's deploy engine, same werf/common-go secret
# code): a key, a secret values file and a secret file encrypted by nelm, and nelm's decryption of them, which
# slipway's decrypt must reproduce byte for byte. Usage: bash scripts/gen-secret-fixtures.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
nelm=$(NELM_VERSION=1.24.3 bash "$root/scripts/build-nelm.sh" | tail -1)
out="$root/test/fixtures/secret"
mkdir -p "$out"
cd "$out"
key=$("$nelm" chart secret key create)
printf '%s\n' "$key" > key
cat > plain-values.yaml <<'YAML'
# Secret values of the fixture project
app:
  password: s3cr3t p@ss
  port: 8080
  ratio: 1.50
  enabled: True
  mask: 0777
  answer: "yes"
  nothing: null
  since: 2001-12-14
  hosts:
    - a.example
    - 42
  colon: "key: value"
  pem: |
    -----BEGIN KEY-----
    abc
    -----END KEY-----
long: a long value with spaces that runs past the eighty columns yaml.v3 would never fold anyway
YAML
"$nelm" chart secret values-file encrypt --secret-key "$key" plain-values.yaml > secret-values.yaml
"$nelm" chart secret values-file decrypt --secret-key "$key" secret-values.yaml > decrypted-values.yaml
printf 'line one\nline two\n' > plain-file.txt
"$nelm" chart secret file encrypt --secret-key "$key" plain-file.txt > secret-file.txt
"$nelm" chart secret file decrypt --secret-key "$key" secret-file.txt > decrypted-file.txt
echo "wrote $out"
