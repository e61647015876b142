// HTTPS material: certificate and key files, or a self-signed certificate kept in the data folder
// (certificate-store.ts: made once with the `selfsigned` library, reused until it expires or this
// machine's names change). It names localhost, this machine's name and every address of its
// network interfaces, so a phone on the LAN can open https://<LAN address>:PORT/phone/ after
// accepting the warning once — and again only when the certificate is replaced.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { ConfigError, type TlsConfig } from '../config.js';
import { DEFAULT_CERTIFICATE_DIR, loadOrMakeCertificate } from './certificate-store.js';

export interface TlsMaterial {
  key: Buffer;
  cert: Buffer;
  /** SHA-256 fingerprint, to compare with what the phone's browser shows. */
  fingerprint: string;
  /** Names and addresses the certificate is valid for. */
  subjectAltNames: string;
  selfSigned: boolean;
  /** Self-signed: where it is kept, whether it was reused from there, why a new one was made. */
  store?: { dir: string; reused: boolean; madeBecause?: string };
  /** Last day of validity (as X509Certificate.validTo writes it). */
  validTo: string;
}

export async function loadTls(config: TlsConfig): Promise<TlsMaterial> {
  if ('selfSigned' in config) return selfSignedCertificate(config.dir ?? DEFAULT_CERTIFICATE_DIR);
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
  return { key, cert, fingerprint: x509.fingerprint256, subjectAltNames: x509.subjectAltName ?? '', selfSigned: false, validTo: x509.validTo };
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

/** The self-signed certificate kept in `dir` (made there when missing, expiring or naming other addresses). */
export async function selfSignedCertificate(dir: string, opts: { days?: number; now?: Date } = {}): Promise<TlsMaterial> {
  const absolute = resolve(dir);
  let stored;
  try {
    stored = await loadOrMakeCertificate(absolute, localNames(), opts);
  } catch (err) {
    throw new ConfigError(`--tls-self-signed: could not keep a certificate in ${absolute}: ${(err as Error).message}`);
  }
  const { key, cert, x509 } = stored;
  return {
    key,
    cert,
    fingerprint: x509.fingerprint256,
    subjectAltNames: x509.subjectAltName ?? '',
    selfSigned: true,
    validTo: x509.validTo,
    store: { dir: absolute, reused: stored.reused, ...(stored.madeBecause ? { madeBecause: stored.madeBecause } : {}) },
  };
}
