// QR codes of the phone page's URL: text blocks for the terminal, SVG for the dashboard. The
// `qrcode` library works offline (pure JavaScript, no network).
import QRCode from 'qrcode';

/** The URL as a QR code drawn with half-block characters (two rows per line), for a terminal. */
export function terminalQr(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}

/** The URL as a standalone SVG QR code (black on white, with its quiet zone). */
export function svgQr(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
