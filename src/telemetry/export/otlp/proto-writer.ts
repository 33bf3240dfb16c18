/**
 * A growable protobuf writer: the few wire types OTLP's trace messages use, written straight into one byte
 * buffer. Its output is byte for byte that of @opentelemetry/otlp-transformer's writer (same varints, same
 * two's complement for negative int64, same UTF-8), which the encoding tests check against the stock serializer.
 */
const textEncoder = new TextEncoder();

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

function varintSize(value: number): number {
  let size = 1;
  while (value > 0x7f) {
    value >>>= 7;
    size++;
  }
  return size;
}

/** The nibble of a hex digit, for any character: what otlp-transformer's hexToBinary computes. */
function nibbleOf(charCode: number): number {
  if (charCode >= 48 && charCode <= 57) return charCode - 48;
  if (charCode >= 97 && charCode <= 102) return charCode - 87;
  return charCode - 55;
}
// Three ids per span go through hexBytes: a table lookup instead of the branches, for every ASCII character.
const NIBBLES = Int16Array.from({ length: 128 }, (_, charCode) => nibbleOf(charCode));
function nibble(charCode: number): number {
  return charCode < 128 ? (NIBBLES[charCode] as number) : charCode - 55;
}

export class ProtoWriter {
  buffer: Uint8Array;
  pos = 0;
  private view: DataView;

  constructor(initialSize = 1024) {
    this.buffer = new Uint8Array(initialSize);
    this.view = new DataView(this.buffer.buffer);
  }

  reset(): void {
    this.pos = 0;
  }

  /** The bytes written so far (a view, not a copy). */
  finish(): Uint8Array {
    return this.buffer.subarray(0, this.pos);
  }

  private ensure(more: number): void {
    const needed = this.pos + more;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.pos));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  /** Non-negative integers up to 2^53, and negative ones as 10-byte two's complement (int64). */
  varint(value: number): void {
    this.ensure(10);
    const buffer = this.buffer;
    if (value >= 0 && value <= 0xffffffff) {
      let v = value >>> 0;
      while (v > 0x7f) {
        buffer[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buffer[this.pos++] = v;
      return;
    }
    let low: number;
    let high: number;
    if (value >= 0) {
      low = value >>> 0;
      high = (value / 0x100000000) >>> 0;
    } else {
      const abs = Math.abs(value);
      low = ~(abs >>> 0) >>> 0;
      high = ~((abs / 0x100000000) >>> 0) >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    while (high > 0 || low > 0x7f) {
      buffer[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buffer[this.pos++] = low & 0x7f;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
  }

  fixed64(low: number, high: number): void {
    this.ensure(8);
    this.view.setUint32(this.pos, low >>> 0, true);
    this.view.setUint32(this.pos + 4, high >>> 0, true);
    this.pos += 8;
  }

  /** An HrTime ([seconds, nanos]) as fixed64 nanoseconds, exact past 2^53 ns. */
  hrTime(time: readonly [number, number]): void {
    const [seconds, nanos] = time;
    // seconds * 1e9 + nanos overflows a double's exact range, so the product is built from two 16-bit halves.
    const fromLow = (seconds & 0xffff) * 1e9;
    const fromHigh = ((seconds / 0x10000) >>> 0) * 1e9;
    const low = (fromLow >>> 0) + (((fromHigh & 0xffff) * 0x10000) >>> 0) + nanos;
    const high = Math.floor(fromLow / 0x100000000) + ((fromHigh / 0x10000) >>> 0) + Math.floor(low / 0x100000000);
    this.fixed64(low >>> 0, high >>> 0);
  }

  double(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /** A length-delimited UTF-8 string; ASCII, the common case, is copied without an encoder. */
  string(value: string): void {
    const length = value.length;
    // Short ASCII (most names, keys and values) in one pass: copy while checking, the length fits in one byte.
    if (length < 0x80) {
      this.ensure(length + 1);
      const buffer = this.buffer;
      let pos = this.pos + 1;
      for (let i = 0; i < length; i++) {
        const charCode = value.charCodeAt(i);
        if (charCode > 0x7f) {
          this.bytes(textEncoder.encode(value));
          return;
        }
        buffer[pos++] = charCode;
      }
      buffer[this.pos] = length;
      this.pos = pos;
      return;
    }
    for (let i = 0; i < length; i++) {
      if (value.charCodeAt(i) > 0x7f) {
        this.bytes(textEncoder.encode(value));
        return;
      }
    }
    this.varint(length);
    this.ensure(length);
    const buffer = this.buffer;
    let pos = this.pos;
    for (let i = 0; i < length; i++) buffer[pos++] = value.charCodeAt(i);
    this.pos = pos;
  }

  /** Length-delimited bytes. */
  bytes(value: Uint8Array): void {
    this.varint(value.length);
    this.raw(value, 0, value.length);
  }

  /** A trace or span id given in hex, as length-delimited bytes, without an intermediate array. */
  hexBytes(hex: string): void {
    const length = hex.length >>> 1;
    this.varint(length);
    this.ensure(length);
    const buffer = this.buffer;
    let pos = this.pos;
    for (let i = 0; i < hex.length - 1; i += 2) {
      buffer[pos++] = (nibble(hex.charCodeAt(i)) << 4) | nibble(hex.charCodeAt(i + 1));
    }
    this.pos = pos;
  }

  /** Bytes already encoded elsewhere, copied as they are. */
  raw(source: Uint8Array, start: number, end: number): void {
    const length = end - start;
    this.ensure(length);
    this.buffer.set(source.subarray(start, end), this.pos);
    this.pos += length;
  }

  /**
   * Starts an embedded message: one byte is reserved for its length, enough for most, and `endMessage` moves
   * the content when the length needs more.
   */
  startMessage(): number {
    this.ensure(1);
    return this.pos++;
  }

  endMessage(start: number): void {
    const length = this.pos - start - 1;
    const size = varintSize(length);
    if (size > 1) {
      this.ensure(size - 1);
      this.buffer.copyWithin(start + size, start + 1, this.pos);
      this.pos += size - 1;
    }
    let v = length;
    let at = start;
    while (v > 0x7f) {
      this.buffer[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buffer[at] = v;
  }
}
