// The self-signed certificate of --tls-self-signed, kept in a folder (data/tls by default) and
// reused across restarts: a phone that accepted the warning once keeps its exception until the
// certificate expires or this machine's names/addresses change (then a new one is made). Made
// with the `selfsigned` library (pure JavaScript: no openssl command needed).
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export const DEFAULT_CERTIFICATE_DIR = 'data/tls';
/** A stored certificate closer than this to its end is replaced (a phone would soon refuse it). */
const RENEW_BEFORE_MS = 24 * 3600_000;
const DAY_MS = 24 * 3600_000;

export interface StoredCertificate {
  key: Buffer;
  cert: Buffer;
  x509: X509Certificate;
  /** True when the certificate on disk was reused; false when it was made now. */
  reused: boolean;
  /** Why a new one was made (undefined when reused). */
  madeBecause?: string;
  dir: string;
}

export interface CertificateNames {
  dns: string[];
  ips: string[];
}

/**
 * The certificate in `dir` when it is valid for at least another day and names every one of
 * `names`; otherwise a fresh one (P-256, SHA-256, `days` long) written there (key mode 0600).
 */
export async function loadOrMakeCertificate(dir: string, names: CertificateNames, opts: { days?: number; now?: Date } = {}): Promise<StoredCertificate> {
  const now = opts.now ?? new Date();
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const reason = reuseProblem(certFile, keyFile, names, now);
  if (reason === undefined) {
    const cert = readFileSync(certFile);
    return { key: readFileSync(keyFile), cert, x509: new X509Certificate(cert), reused: true, dir };
  }
  const pems = await generate([{ name: 'commonName', value: 'sensorium self-signed' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    // A day back: a phone whose clock is a little behind still accepts it.
    notBeforeDate: new Date(now.getTime() - DAY_MS),
    notAfterDate: new Date(now.getTime() + (opts.days ?? 365) * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...names.dns.map((value) => ({ type: 2 as const, value })), ...names.ips.map((ip) => ({ type: 7 as const, ip }))] },
    ],
  });
  mkdirSync(dir, { recursive: true });
  // Written aside then renamed: a crash midway never leaves a key without its certificate.
  writeFileSync(`${keyFile}.tmp`, pems.private, { mode: 0o600 });
  writeFileSync(`${certFile}.tmp`, pems.cert);
  renameSync(`${keyFile}.tmp`, keyFile);
  renameSync(`${certFile}.tmp`, certFile);
  const cert = Buffer.from(pems.cert);
  return { key: Buffer.from(pems.private), cert, x509: new X509Certificate(cert), reused: false, madeBecause: reason, dir };
}

/** Why the stored certificate cannot be reused, or undefined when it can. */
function reuseProblem(certFile: string, keyFile: string, names: CertificateNames, now: Date): string | undefined {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(readFileSync(certFile));
    if (!x509.checkPrivateKey(createPrivateKey(readFileSync(keyFile)))) return 'the stored key does not match the stored certificate';
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return e.code === 'ENOENT' ? 'none stored yet' : `the stored one is unreadable (${e.message})`;
  }
  if (new Date(x509.validTo).getTime() - now.getTime() < RENEW_BEFORE_MS) return `the stored one expires ${x509.validTo}`;
  const covered = new Set(subjectAltNameList(x509.subjectAltName ?? ''));
  const missing = [...names.dns.map((d) => `dns:${d.toLowerCase()}`), ...names.ips.map((ip) => `ip:${canonicalIp(ip)}`)].filter((n) => !covered.has(n));
  if (missing.length > 0) return `the stored one does not name ${missing.map((m) => m.slice(m.indexOf(':') + 1)).join(', ')}`;
  return undefined;
}

/** 'DNS:a, IP Address:0:0:0:0:0:0:0:1' → ['dns:a', 'ip:::1']. */
function subjectAltNameList(san: string): string[] {
  const out: string[] = [];
  for (const part of san.split(/,\s*/)) {
    if (part.startsWith('DNS:')) out.push(`dns:${part.slice(4).toLowerCase()}`);
    else if (part.startsWith('IP Address:')) out.push(`ip:${canonicalIp(part.slice(11))}`);
  }
  return out;
}

/** One spelling per address (IPv6 compressed and lower case, as URLs write it). */
function canonicalIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip.toLowerCase();
  }
}
