/**
 * BabyJubJub, the twisted Edwards curve a·x² + y² = 1 + d·x²·y² over BN254's scalar field, so
 * that circuits proven on BN254 do its arithmetic natively (EIP-2494). Points are affine; the
 * multiplications work in extended coordinates and divide once at the end.
 */
export const fieldOrder = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
/** The order of the prime subgroup that Base8 generates: every key and ciphertext lives there. */
export const subgroupOrder = 2736030358979909402780800718157159386076813972158567259200215660948447373041n;
const curveA = 168700n;
const curveD = 168696n;

export type Point = { readonly x: bigint; readonly y: bigint };

export const identity: Point = { x: 0n, y: 1n };

/** circomlib's Base8 (eight times the curve's generator), the generator its circuits multiply. */
export const base8: Point = {
  x: 5299619240641551281634865583518297030282874472190772894086521144482721001553n,
  y: 16950150798460657717958625567821834550301663161624707787222815936182638968203n,
};

function mod(value: bigint): bigint {
  const rest = value % fieldOrder;
  return rest < 0n ? rest + fieldOrder : rest;
}

export function invert(value: bigint): bigint {
  let [low, high] = [mod(value), fieldOrder];
  if (low === 0n) throw new Error('zero has no inverse');
  let [lowCoefficient, highCoefficient] = [1n, 0n];
  while (low > 1n) {
    const quotient = high / low;
    [low, high] = [high - quotient * low, low];
    [lowCoefficient, highCoefficient] = [highCoefficient - quotient * lowCoefficient, lowCoefficient];
  }
  return mod(lowCoefficient);
}

export function isOnCurve(point: Point): boolean {
  const xx = mod(point.x * point.x);
  const yy = mod(point.y * point.y);
  return mod(curveA * xx + yy) === mod(1n + curveD * xx * yy);
}

export function pointsEqual(left: Point, right: Point): boolean {
  return mod(left.x) === mod(right.x) && mod(left.y) === mod(right.y);
}

export function negate(point: Point): Point {
  return { x: mod(-point.x), y: point.y };
}

/** Extended coordinates (X:Y:Z:T) with x = X/Z, y = Y/Z, x·y = T/Z. */
type Extended = { X: bigint; Y: bigint; Z: bigint; T: bigint };

function extend(point: Point): Extended {
  return { X: point.x, Y: point.y, Z: 1n, T: mod(point.x * point.y) };
}

// The unified addition of Hisil–Wong–Carter–Dawson 2008: complete on this curve (a is a square,
// d is not), so it also doubles and adds the identity.
function addExtended(p: Extended, q: Extended): Extended {
  const a = mod(p.X * q.X);
  const b = mod(p.Y * q.Y);
  const c = mod(curveD * mod(p.T * q.T));
  const d = mod(p.Z * q.Z);
  const e = mod((p.X + p.Y) * (q.X + q.Y) - a - b);
  const f = d - c;
  const g = d + c;
  const h = b - curveA * a;
  return { X: mod(e * f), Y: mod(g * h), Z: mod(f * g), T: mod(e * h) };
}

export function addPoints(left: Point, right: Point): Point {
  return normalize(addExtended(extend(left), extend(right)));
}

export function subtractPoints(left: Point, right: Point): Point {
  return addPoints(left, negate(right));
}

function normalize(point: Extended): Point {
  const inverse = invert(point.Z);
  return { x: mod(point.X * inverse), y: mod(point.Y * inverse) };
}

/** Montgomery's trick: one inversion for a whole batch of points. */
function normalizeAll(points: Extended[]): Point[] {
  const prefix: bigint[] = new Array(points.length);
  let running = 1n;
  for (let index = 0; index < points.length; index++) {
    prefix[index] = running;
    running = mod(running * points[index]!.Z);
  }
  let inverse = invert(running);
  const affine: Point[] = new Array(points.length);
  for (let index = points.length - 1; index >= 0; index--) {
    const point = points[index]!;
    const zInverse = mod(inverse * prefix[index]!);
    inverse = mod(inverse * point.Z);
    affine[index] = { x: mod(point.X * zInverse), y: mod(point.Y * zInverse) };
  }
  return affine;
}

export function multiply(point: Point, scalar: bigint): Point {
  if (scalar < 0n) throw new Error('a scalar is not negative');
  let result = extend(identity);
  let addend = extend(point);
  for (let rest = scalar; rest > 0n; rest >>= 1n) {
    if (rest & 1n) result = addExtended(result, addend);
    addend = addExtended(addend, addend);
  }
  return normalize(result);
}

/** start, start + step, start + 2·step, … (count points), with one inversion for them all. */
export function arithmeticProgression(start: Point, step: Point, count: number): Point[] {
  const points: Extended[] = new Array(count);
  const stepExtended = extend(step);
  let current = extend(start);
  for (let index = 0; index < count; index++) {
    points[index] = current;
    current = addExtended(current, stepExtended);
  }
  return normalizeAll(points);
}
