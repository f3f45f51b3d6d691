pragma circom 2.1.0;

include "elgamal.circom";

// A withdrawal of a public `amount` to `recipient`: the owner proves it holds the key of its
// balance, that the balance covers 0 < amount, and that its new balance is the old one with
// amount·G taken from the second half (the first half is unchanged, the amount being public).
template Withdraw() {
    signal input publicKey[2];
    signal input balance[2][2];
    signal input newBalance[2][2];
    signal input amount;
    signal input recipient;

    signal input secret;
    signal input balanceValue;

    component owner = PrivateKey();
    owner.secret <== secret;
    owner.publicKey <== publicKey;

    component held = Amount();
    held.value <== balanceValue;
    component decrypted = DecryptsTo();
    decrypted.keyBits <== owner.bits;
    decrypted.ciphertext <== balance;
    decrypted.message <== held.point;

    component moved = Amount();
    moved.value <== amount;
    component nonZero = IsZero();
    nonZero.in <== amount;
    nonZero.out === 0;

    component left = Num2Bits(amountBits());
    left.in <== balanceValue - amount;

    // Computed, not checked as a sum, so the new balance cannot be a point off the curve.
    newBalance[0] === balance[0];
    component taken = BabyAdd();
    taken.x1 <== balance[1][0];
    taken.y1 <== balance[1][1];
    taken.x2 <== -moved.point[0];
    taken.y2 <== moved.point[1];
    taken.xout === newBalance[1][0];
    taken.yout === newBalance[1][1];

    // Binds the proof to the address the USDC goes to, so a copied proof cannot be redirected.
    signal recipientSquare <== recipient * recipient;
}

component main {public [publicKey, balance, newBalance, amount, recipient]} = Withdraw();
