// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// BabyJubJub (EIP-2494), the twisted Edwards curve a·x² + y² = 1 + d·x²·y² over BN254's scalar
/// field, on which the circuits in circuits/ keep balances as ElGamal ciphertexts. The contract
/// adds ciphertexts pointwise to credit an account without learning the amount; the rest of the
/// arithmetic is the circuits'.

struct Point {
    uint256 x;
    uint256 y;
}

/// An exponential ElGamal ciphertext (r·G, m·G + r·K).
struct Ciphertext {
    Point c1;
    Point c2;
}

uint256 constant FIELD_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
uint256 constant SUBGROUP_ORDER = 2736030358979909402780800718157159386076813972158567259200215660948447373041;
uint256 constant CURVE_A = 168700;
uint256 constant CURVE_D = 168696;
uint256 constant BASE8_X = 5299619240641551281634865583518297030282874472190772894086521144482721001553;
uint256 constant BASE8_Y = 16950150798460657717958625567821834550301663161624707787222815936182638968203;

function identityPoint() pure returns (Point memory) {
    return Point(0, 1);
}

function isIdentity(Point memory point) pure returns (bool) {
    return point.x == 0 && point.y == 1;
}

function pointsEqual(Point memory left, Point memory right) pure returns (bool) {
    return left.x == right.x && left.y == right.y;
}

function ciphertextsEqual(Ciphertext memory left, Ciphertext memory right) pure returns (bool) {
    return pointsEqual(left.c1, right.c1) && pointsEqual(left.c2, right.c2);
}

function isOnCurve(Point memory point) pure returns (bool) {
    if (point.x >= FIELD_ORDER || point.y >= FIELD_ORDER) return false;
    uint256 xx = mulmod(point.x, point.x, FIELD_ORDER);
    uint256 yy = mulmod(point.y, point.y, FIELD_ORDER);
    uint256 left = addmod(mulmod(CURVE_A, xx, FIELD_ORDER), yy, FIELD_ORDER);
    uint256 right = addmod(1, mulmod(CURVE_D, mulmod(xx, yy, FIELD_ORDER), FIELD_ORDER), FIELD_ORDER);
    return left == right;
}

function negate(Point memory point) pure returns (Point memory) {
    return Point(point.x == 0 ? 0 : FIELD_ORDER - point.x, point.y);
}

/// The affine addition law, complete on this curve (a is a square, d is not): it adds, doubles and
/// adds the identity alike. Its two divisions share one inversion.
function addPoints(Point memory p, Point memory q) view returns (Point memory) {
    uint256 x1x2 = mulmod(p.x, q.x, FIELD_ORDER);
    uint256 y1y2 = mulmod(p.y, q.y, FIELD_ORDER);
    uint256 t = mulmod(CURVE_D, mulmod(x1x2, y1y2, FIELD_ORDER), FIELD_ORDER);
    uint256 xNumerator = addmod(mulmod(p.x, q.y, FIELD_ORDER), mulmod(p.y, q.x, FIELD_ORDER), FIELD_ORDER);
    uint256 yNumerator = addmod(y1y2, FIELD_ORDER - mulmod(CURVE_A, x1x2, FIELD_ORDER), FIELD_ORDER);
    uint256 xDenominator = addmod(1, t, FIELD_ORDER);
    uint256 yDenominator = addmod(1, FIELD_ORDER - t, FIELD_ORDER);
    uint256 inverse = invert(mulmod(xDenominator, yDenominator, FIELD_ORDER));
    return Point(
        mulmod(xNumerator, mulmod(yDenominator, inverse, FIELD_ORDER), FIELD_ORDER),
        mulmod(yNumerator, mulmod(xDenominator, inverse, FIELD_ORDER), FIELD_ORDER)
    );
}

function subtractPoints(Point memory p, Point memory q) view returns (Point memory) {
    return addPoints(p, negate(q));
}

function addCiphertexts(Ciphertext memory left, Ciphertext memory right) view returns (Ciphertext memory) {
    return Ciphertext(addPoints(left.c1, right.c1), addPoints(left.c2, right.c2));
}

function subtractCiphertexts(Ciphertext memory left, Ciphertext memory right) view returns (Ciphertext memory) {
    return Ciphertext(subtractPoints(left.c1, right.c1), subtractPoints(left.c2, right.c2));
}

/// value^(p−2) mod p by the modexp precompile (EIP-198): Fermat's inverse for a nonzero value.
function invert(uint256 value) view returns (uint256 inverse) {
    require(value != 0, "BabyJubJub: zero has no inverse");
    bytes memory input = abi.encode(uint256(32), uint256(32), uint256(32), value, FIELD_ORDER - 2, FIELD_ORDER);
    (bool ok, bytes memory output) = address(0x05).staticcall(input);
    require(ok && output.length == 32, "BabyJubJub: modexp failed");
    inverse = abi.decode(output, (uint256));
}

/// scalar·point by double-and-add in extended coordinates (X:Y:Z:T, x = X/Z, y = Y/Z, xy = T/Z),
/// which need no division until the end: a registration checks a key with a 251-bit scalar.
function multiply(Point memory point, uint256 scalar) view returns (Point memory) {
    uint256[4] memory result = [uint256(0), 1, 1, 0];
    uint256[4] memory addend = [point.x, point.y, 1, mulmod(point.x, point.y, FIELD_ORDER)];
    while (scalar != 0) {
        if (scalar & 1 == 1) result = addExtended(result, addend);
        addend = addExtended(addend, addend);
        scalar >>= 1;
    }
    if (result[0] == 0 && result[1] == result[2]) return identityPoint();
    uint256 zInverse = invert(result[2]);
    return Point(mulmod(result[0], zInverse, FIELD_ORDER), mulmod(result[1], zInverse, FIELD_ORDER));
}

/// The unified addition of Hisil, Wong, Carter and Dawson (2008), complete on this curve.
function addExtended(uint256[4] memory p, uint256[4] memory q) pure returns (uint256[4] memory) {
    uint256 a = mulmod(p[0], q[0], FIELD_ORDER);
    uint256 b = mulmod(p[1], q[1], FIELD_ORDER);
    uint256 c = mulmod(CURVE_D, mulmod(p[3], q[3], FIELD_ORDER), FIELD_ORDER);
    uint256 d = mulmod(p[2], q[2], FIELD_ORDER);
    uint256 e = addmod(
        mulmod(addmod(p[0], p[1], FIELD_ORDER), addmod(q[0], q[1], FIELD_ORDER), FIELD_ORDER),
        FIELD_ORDER - addmod(a, b, FIELD_ORDER),
        FIELD_ORDER
    );
    uint256 f = addmod(d, FIELD_ORDER - c, FIELD_ORDER);
    uint256 g = addmod(d, c, FIELD_ORDER);
    uint256 h = addmod(b, FIELD_ORDER - mulmod(CURVE_A, a, FIELD_ORDER), FIELD_ORDER);
    return [mulmod(e, f, FIELD_ORDER), mulmod(g, h, FIELD_ORDER), mulmod(f, g, FIELD_ORDER), mulmod(e, h, FIELD_ORDER)];
}

/// A key a balance may be encrypted under: on the curve, in the prime subgroup the circuits work
/// in (l·K = O), and not the identity, under which a ciphertext's second half is m·G in clear.
function isUsableKey(Point memory key) view returns (bool) {
    if (!isOnCurve(key) || isIdentity(key)) return false;
    return isIdentity(multiply(key, SUBGROUP_ORDER));
}
