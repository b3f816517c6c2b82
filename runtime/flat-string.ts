// Strings a connection keeps for its whole life, copied into one flat piece. V8 represents a
// concatenation of 13 or more characters as a chain of its fragments, and Node's `randomUUID`
// (behind `uuid`'s v4) is twenty concatenations: a UUID held for hours costs a dozen chain nodes
// (~0.4 KiB) instead of one 36-character string (~56 bytes). Short-lived strings need none of this.

/**
 * @example
 *   const id = flatString(uuidv4());
 */
export function flatString(text: string): string {
  // A JSON round trip builds a new sequential string and keeps every UTF-16 code unit, lone
  // surrogates included (a topic is client input); an encoding round trip would not.
  return JSON.parse(JSON.stringify(text)) as string;
}
