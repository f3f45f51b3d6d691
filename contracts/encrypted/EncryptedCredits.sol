// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {TransferVerifier} from "../verifiers/TransferVerifier.sol";
import {WithdrawVerifier} from "../verifiers/WithdrawVerifier.sol";
import "./BabyJubJub.sol";

/// The USDC payee side of EIP-3009: only the payee may submit a receiveWithAuthorization.
interface IReceiveWithAuthorization {
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes memory signature
    ) external;
}

/// Encrypted credits backed by USDC, for the gateway. A deposit is public (USDC in, and the amount
/// credited); every other balance change shows no amount: balances are ElGamal ciphertexts on
/// BabyJubJub, and every move is checked by a Groth16 proof (circuits/).
///
/// Each account holds its balance twice, under its owner's key and under the operator's auditor
/// key, and every operation changes both by the same amount (proven), so the two always decrypt
/// to the same value: the owner reads its balance, the operator checks it against its ledger and
/// moves it on the ledger's word. The pool (this contract's own address) is an account under the
/// auditor key: spent credits move from people's accounts into it, and providers are paid from
/// it, so the chain shows neither who paid whom nor how much.
///
/// The operator submits every move and pays its gas: an owner signs its key's registration and a
/// provider proves its own withdrawal, and neither needs gas. The operator is trusted with what
/// the ledger says was spent (it is the custodian of prepaid credits, as the seed's "server
/// knows" has it), never with more: it cannot mint, credits move only into or out of the pool,
/// and an account's USDC leaves only to the account's own address or the recipient its owner proved.
contract EncryptedCredits is EIP712 {
    using SafeERC20 for IERC20;

    struct Account {
        Point key;
        Ciphertext balance;
        Ciphertext audit;
    }

    struct Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    /// A move of a hidden amount out of `from` into `to`, proven with the auditor key over `from`'s
    /// audited balance: `from`'s audited balance becomes `newAudit`, `fromCiphertext` (under
    /// `from`'s key) leaves its owner's balance and `toCiphertext` (under `to`'s key) joins `to`'s;
    /// `to`'s audited balance gains what `from`'s lost.
    struct Move {
        address from;
        address to;
        Ciphertext newAudit;
        Ciphertext toCiphertext;
        Ciphertext fromCiphertext;
        Proof proof;
    }

    bytes32 public constant REGISTER_KEY_TYPEHASH =
        keccak256("RegisterKey(address account,uint256 keyX,uint256 keyY)");
    /// Amounts and balances the circuits accept: below 2^40 micro-units.
    uint256 public constant AMOUNT_LIMIT = 1 << 40;

    IERC20 public immutable usdc;
    TransferVerifier public immutable transferVerifier;
    WithdrawVerifier public immutable withdrawVerifier;
    address public immutable operator;
    uint256 public immutable auditorKeyX;
    uint256 public immutable auditorKeyY;

    mapping(address => Account) private accounts;

    event KeyRegistered(address indexed account, uint256 keyX, uint256 keyY);
    event Deposited(address indexed from, address indexed to, uint256 amount);
    event Moved(address indexed from, address indexed to);
    event Withdrawn(address indexed account, address indexed recipient, uint256 amount);

    error NotOperator();
    error NotRegistered(address account);
    error AlreadyRegistered(address account);
    error UnusableKey();
    error BadSignature();
    error AmountOutOfRange(uint256 amount);
    error SameAccount();
    error NotThroughPool();
    error RecipientNotOwner(address recipient);
    error InvalidProof();

    modifier onlyOperator() {
        if (msg.sender != operator) revert NotOperator();
        _;
    }

    constructor(
        IERC20 usdc_,
        TransferVerifier transferVerifier_,
        WithdrawVerifier withdrawVerifier_,
        address operator_,
        Point memory auditorKey_
    ) EIP712("Tally Encrypted Credits", "1") {
        if (!isUsableKey(auditorKey_)) revert UnusableKey();
        usdc = usdc_;
        transferVerifier = transferVerifier_;
        withdrawVerifier = withdrawVerifier_;
        operator = operator_;
        auditorKeyX = auditorKey_.x;
        auditorKeyY = auditorKey_.y;
        accounts[address(this)].key = auditorKey_;
        emit KeyRegistered(address(this), auditorKey_.x, auditorKey_.y);
    }

    /// The pool: where spent credits gather and payouts come from, under the auditor key.
    function pool() external view returns (address) {
        return address(this);
    }

    function auditorKey() public view returns (Point memory) {
        return Point(auditorKeyX, auditorKeyY);
    }

    function keyOf(address account) external view returns (Point memory) {
        return accounts[account].key;
    }

    /// An account's balance under its owner's key and under the auditor key.
    function ciphertextsOf(address account) external view returns (Ciphertext memory balance, Ciphertext memory audit) {
        Account storage held = accounts[account];
        return (readCiphertext(held.balance), readCiphertext(held.audit));
    }

    function isRegistered(address account) public view returns (bool) {
        return accounts[account].key.x != 0 || accounts[account].key.y != 0;
    }

    /// The account's owner signed (EIP-712, or ERC-1271 for a contract wallet) the key its balance
    /// is encrypted under; anyone may submit it, so the owner needs no gas. The key comes as an
    /// eighth of itself: eight times any point of the curve is in the prime subgroup the circuits
    /// work in, so three doublings check what a 251-bit multiplication by the group order would.
    /// A key is for good: a balance cannot be re-encrypted without its owner.
    function registerKey(address account, Point calldata keyEighth, bytes calldata signature) external {
        if (isRegistered(account)) revert AlreadyRegistered(account);
        if (!isOnCurve(keyEighth)) revert UnusableKey();
        Point memory key = multiply(keyEighth, 8);
        if (isIdentity(key)) revert UnusableKey();
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(REGISTER_KEY_TYPEHASH, account, key.x, key.y)));
        if (!SignatureChecker.isValidSignatureNow(account, digest, signature)) revert BadSignature();
        accounts[account].key = key;
        emit KeyRegistered(account, key.x, key.y);
    }

    /// USDC in by the payer's EIP-3009 ReceiveWithAuthorization to this contract, credited to
    /// `to` as the encryption of the public amount with no randomness, (O, amount·G), in both of
    /// its balances: a person's own deposit (`to` is the payer), or the treasury paying into the
    /// pool what people without an encrypted account spent. Only the operator submits, after
    /// checking the balance stays below the circuits' bound.
    function deposit(
        address from,
        address to,
        uint256 amount,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external onlyOperator {
        if (!isRegistered(to)) revert NotRegistered(to);
        if (amount == 0 || amount >= AMOUNT_LIMIT) revert AmountOutOfRange(amount);
        IReceiveWithAuthorization(address(usdc)).receiveWithAuthorization(
            from, address(this), amount, validAfter, validBefore, nonce, signature
        );
        Point memory credited = multiply(Point(BASE8_X, BASE8_Y), amount);
        Account storage account = accounts[to];
        Ciphertext memory balance = readCiphertext(account.balance);
        Ciphertext memory audit = readCiphertext(account.audit);
        balance.c2 = addPoints(balance.c2, credited);
        audit.c2 = addPoints(audit.c2, credited);
        writeCiphertext(account.balance, balance);
        writeCiphertext(account.audit, audit);
        emit Deposited(from, to, amount);
    }

    /// Moves in one transaction, in order: the daily sweep of spent credits into the pool, and the
    /// settlement's payouts out of it. Each move's proof names the balances it starts from, so the
    /// operator computes the pool's successive balances first and proves the moves in parallel.
    function move(Move[] calldata moves) external onlyOperator {
        for (uint256 index = 0; index < moves.length; index++) {
            applyMove(moves[index]);
        }
    }

    function applyMove(Move calldata step) private {
        if (step.from == step.to) revert SameAccount();
        // Credits move between the pool and an account only: the operator can take what an account
        // spent into the pool and pay the pool out, never hand one account's balance to another.
        if (step.from != address(this) && step.to != address(this)) revert NotThroughPool();
        Account storage from = accounts[step.from];
        Account storage to = accounts[step.to];
        if (!isRegistered(step.from)) revert NotRegistered(step.from);
        if (!isRegistered(step.to)) revert NotRegistered(step.to);
        Ciphertext memory fromAudit = readCiphertext(from.audit);
        uint256[22] memory signals;
        putPoint(signals, 0, auditorKey());
        putPoint(signals, 2, to.key);
        putPoint(signals, 4, from.key);
        putCiphertext(signals, 6, fromAudit);
        putCiphertext(signals, 10, step.newAudit);
        putCiphertext(signals, 14, step.toCiphertext);
        putCiphertext(signals, 18, step.fromCiphertext);
        if (!transferVerifier.verifyProof(step.proof.a, step.proof.b, step.proof.c, signals)) revert InvalidProof();

        Ciphertext memory deduction = subtractCiphertexts(fromAudit, step.newAudit);
        writeCiphertext(from.audit, step.newAudit);
        writeCiphertext(from.balance, subtractCiphertexts(readCiphertext(from.balance), step.fromCiphertext));
        writeCiphertext(to.balance, addCiphertexts(readCiphertext(to.balance), step.toCiphertext));
        writeCiphertext(to.audit, addCiphertexts(readCiphertext(to.audit), deduction));
        emit Moved(step.from, step.to);
    }

    /// A withdrawal the owner proved with its own key (a provider claiming its payouts): `amount`
    /// of USDC to the recipient bound in the proof. The audited balance loses the same amount·G.
    function withdraw(
        address account,
        uint256 amount,
        address recipient,
        Ciphertext calldata newBalance,
        Proof calldata proof
    ) external onlyOperator {
        Account storage held = accounts[account];
        if (!isRegistered(account)) revert NotRegistered(account);
        Ciphertext memory balance = readCiphertext(held.balance);
        verifyWithdrawal(held.key, balance, newBalance, amount, recipient, proof);
        Point memory taken = subtractPoints(balance.c2, newBalance.c2);
        Ciphertext memory audit = readCiphertext(held.audit);
        audit.c2 = subtractPoints(audit.c2, taken);
        writeCiphertext(held.balance, newBalance);
        writeCiphertext(held.audit, audit);
        release(account, recipient, amount);
    }

    /// A withdrawal the operator proved with the auditor key, on the owner's signed request to it
    /// (a person taking back unspent credits, or the platform's fee out of the pool). An account's
    /// USDC goes to the account's own address only: the operator cannot send it elsewhere.
    function withdrawAudited(
        address account,
        uint256 amount,
        address recipient,
        Ciphertext calldata newAudit,
        Proof calldata proof
    ) external onlyOperator {
        Account storage held = accounts[account];
        if (!isRegistered(account)) revert NotRegistered(account);
        if (account != address(this) && recipient != account) revert RecipientNotOwner(recipient);
        Ciphertext memory audit = readCiphertext(held.audit);
        verifyWithdrawal(auditorKey(), audit, newAudit, amount, recipient, proof);
        Point memory taken = subtractPoints(audit.c2, newAudit.c2);
        Ciphertext memory balance = readCiphertext(held.balance);
        balance.c2 = subtractPoints(balance.c2, taken);
        writeCiphertext(held.audit, newAudit);
        writeCiphertext(held.balance, balance);
        release(account, recipient, amount);
    }

    function verifyWithdrawal(
        Point memory key,
        Ciphertext memory balance,
        Ciphertext calldata newBalance,
        uint256 amount,
        address recipient,
        Proof calldata proof
    ) private view {
        uint256[12] memory signals;
        putPoint12(signals, 0, key);
        putCiphertext12(signals, 2, balance);
        putCiphertext12(signals, 6, newBalance);
        signals[10] = amount;
        signals[11] = uint256(uint160(recipient));
        if (!withdrawVerifier.verifyProof(proof.a, proof.b, proof.c, signals)) revert InvalidProof();
    }

    function release(address account, address recipient, uint256 amount) private {
        usdc.safeTransfer(recipient, amount);
        emit Withdrawn(account, recipient, amount);
    }

    // An account never written holds zeros: read as the empty balance, the identity twice, so a
    // registration writes only the key. (0, 0) is not on the curve, so no balance is ever stored as it.
    function readPoint(Point storage point) private view returns (Point memory) {
        uint256 y = point.y;
        return Point(point.x, point.x == 0 && y == 0 ? 1 : y);
    }

    function readCiphertext(Ciphertext storage ciphertext) private view returns (Ciphertext memory) {
        return Ciphertext(readPoint(ciphertext.c1), readPoint(ciphertext.c2));
    }

    function writeCiphertext(Ciphertext storage target, Ciphertext memory value) private {
        target.c1.x = value.c1.x;
        target.c1.y = value.c1.y;
        target.c2.x = value.c2.x;
        target.c2.y = value.c2.y;
    }

    function putPoint(uint256[22] memory signals, uint256 offset, Point memory point) private pure {
        signals[offset] = point.x;
        signals[offset + 1] = point.y;
    }

    function putCiphertext(uint256[22] memory signals, uint256 offset, Ciphertext memory ciphertext) private pure {
        putPoint(signals, offset, ciphertext.c1);
        putPoint(signals, offset + 2, ciphertext.c2);
    }

    function putPoint12(uint256[12] memory signals, uint256 offset, Point memory point) private pure {
        signals[offset] = point.x;
        signals[offset + 1] = point.y;
    }

    function putCiphertext12(uint256[12] memory signals, uint256 offset, Ciphertext memory ciphertext) private pure {
        putPoint12(signals, offset, ciphertext.c1);
        putPoint12(signals, offset + 2, ciphertext.c2);
    }
}
