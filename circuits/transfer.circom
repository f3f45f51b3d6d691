pragma circom 2.1.0;

include "elgamal.circom";

// A confidential transfer of `amount` from the sender's encrypted balance. The sender proves it
// holds the key of its balance, that the balance covers 0 < amount, that its new balance is the
// old one minus an encryption of the amount, and that the receiver's and the auditor's
// ciphertexts encrypt that same amount under their keys. Each ciphertext has randomness of its
// own, so none of them can be matched with another by its first half.
template Transfer() {
    signal input senderKey[2];
    signal input receiverKey[2];
    signal input auditorKey[2];
    signal input balance[2][2];
    signal input newBalance[2][2];
    signal input receiverCiphertext[2][2];
    signal input auditorCiphertext[2][2];

    signal input senderSecret;
    signal input balanceValue;
    signal input amount;
    signal input senderRandomness;
    signal input receiverRandomness;
    signal input auditorRandomness;

    component sender = PrivateKey();
    sender.secret <== senderSecret;
    sender.publicKey <== senderKey;

    component held = Amount();
    held.value <== balanceValue;
    component decrypted = DecryptsTo();
    decrypted.keyBits <== sender.bits;
    decrypted.ciphertext <== balance;
    decrypted.message <== held.point;

    component moved = Amount();
    moved.value <== amount;
    component nonZero = IsZero();
    nonZero.in <== amount;
    nonZero.out === 0;

    // balance − amount fits in 40 bits only when it is not negative.
    component left = Num2Bits(amountBits());
    left.in <== balanceValue - amount;

    component deduction = EncryptsTo();
    deduction.randomness <== senderRandomness;
    deduction.publicKey <== senderKey;
    deduction.message <== moved.point;
    component remains = CiphertextDifference();
    remains.total <== balance;
    remains.part <== deduction.ciphertext;
    remains.difference === newBalance;

    component credit = EncryptsTo();
    credit.randomness <== receiverRandomness;
    credit.publicKey <== receiverKey;
    credit.message <== moved.point;
    credit.ciphertext === receiverCiphertext;

    component audit = EncryptsTo();
    audit.randomness <== auditorRandomness;
    audit.publicKey <== auditorKey;
    audit.message <== moved.point;
    audit.ciphertext === auditorCiphertext;
}

component main {
    public [senderKey, receiverKey, auditorKey, balance, newBalance, receiverCiphertext, auditorCiphertext]
} = Transfer();
