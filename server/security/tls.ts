// HTTPS material: certificate and key files, or a self-signed certificate made at start. Node's
// crypto can make keys but not X.509 certificates, so the self-signed one comes from the
// `openssl` command-line tool (no npm package needed); it names localhost, this machine's name
// and every address of its network interfaces, so a phone on the LAN can open
// https://<LAN address>:PORT/phone/ after accepting the warning once.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, type TlsConfig } from '../config.js';

export interface TlsMaterial {
  key: Buffer;
  cert: Buffer;
  /** SHA-256 fingerprint, to compare with what the phone's browser shows. */
  fingerprint: string;
  /** Names and addresses the certificate is valid for. */
  subjectAltNames: string;
  selfSigned: boolean;
}

export function loadTls(config: TlsConfig): TlsMaterial {
  if ('selfSigned' in config) return selfSignedCertificate();
  let key: Buffer;
  let cert: Buffer;
  try {
    cert = readFileSync(config.certFile);
  } catch (err) {
    throw new ConfigError(`--tls-cert ${config.certFile}: ${(err as Error).message}`);
  }
  try {
    key = readFileSync(config.keyFile);
  } catch (err) {
    throw new ConfigError(`--tls-key ${config.keyFile}: ${(err as Error).message}`);
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new ConfigError(`--tls-cert ${config.certFile} is not a PEM certificate: ${(err as Error).message}`);
  }
  if (!x509.checkPrivateKey(createKey(key, config.keyFile))) throw new ConfigError(`--tls-key ${config.keyFile} does not belong to the certificate ${config.certFile}`);
  return { key, cert, fingerprint: x509.fingerprint256, subjectAltNames: x509.subjectAltName ?? '', selfSigned: false };
}

function createKey(pem: Buffer, file: string) {
  try {
    return createPrivateKey(pem);
  } catch (err) {
    throw new ConfigError(`--tls-key ${file} is not a PEM private key: ${(err as Error).message}`);
  }
}

/** The DNS names and IP addresses a self-signed certificate for this machine should cover. */
export function localNames(): { dns: string[]; ips: string[] } {
  const dns = new Set(['localhost', hostname()]);
  const ips = new Set(['127.0.0.1', '::1']);
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) ips.add(a.address.replace(/%.*$/, ''));
  return { dns: [...dns].filter((d) => /^[A-Za-z0-9.-]+$/.test(d)), ips: [...ips] };
}

/** Makes a fresh P-256 key and a 30-day self-signed certificate with `openssl`. */
export function selfSignedCertificate(days = 30): TlsMaterial {
  const { dns, ips } = localNames();
  const san = [...dns.map((d) => `DNS:${d}`), ...ips.map((ip) => `IP:${ip}`)].join(',');
  const dir = mkdtempSync(join(tmpdir(), 'sensorium-tls-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    const conf = join(dir, 'openssl.cnf');
    writeFileSync(conf, `[req]\ndistinguished_name=dn\nprompt=no\n[dn]\nCN=sensorium self-signed\n`);
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', String(days), '-config', conf, '-keyout', keyFile, '-out', certFile, '-addext', `subjectAltName=${san}`, '-addext', 'extendedKeyUsage=serverAuth'],
        { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 },
      );
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
      if (e.code === 'ENOENT') {
        throw new ConfigError('--tls-self-signed needs the openssl command (apt-get install openssl), or pass --tls-cert and --tls-key');
      }
      throw new ConfigError(`openssl could not make a self-signed certificate: ${e.stderr?.toString().trim() || e.message}`);
    }
    const key = readFileSync(keyFile);
    const cert = readFileSync(certFile);
    const x509 = new X509Certificate(cert);
    return { key, cert, fingerprint: x509.fingerprint256, subjectAltNames: x509.subjectAltName ?? san, selfSigned: true };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
