/** Each character of the signature replaced by another base64url character. */
export function tampered(token: string): string[] {
  const dot = token.lastIndexOf('.');
  const out: string[] = [];
  for (let i = dot + 1; i < token.length; i++) {
    const c = token[i]!;
    out.push(token.slice(0, i) + (c === 'A' ? 'B' : 'A') + token.slice(i + 1));
  }
  return out;
}
