// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP3009} from "./EIP3009.sol";
import {FiatToken} from "./FiatToken.sol";

/// A test USDC that a client cannot tell from Circle's FiatTokenV2_2 by what it calls and what it
/// gets back: name "USD Coin", symbol "USDC", 6 decimals, `version()` "2", the one EIP-712 domain
/// that EIP-2612 permit and EIP-3009 share (and no EIP-5267 `eip712Domain()`, which USDC lacks),
/// revert strings rather than custom errors, pause and blacklist. Its owner (Tally's treasury on the
/// development chain) holds every role and mints without limit for the faucet.
contract TestUSDC is EIP3009 {
    bytes32 public constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    mapping(address owner => uint256) private _permitNonces;

    constructor(address initialOwner) FiatToken("USD Coin", "USDC", 6, initialOwner) {}

    function version() external pure returns (string memory) {
        return "2";
    }

    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparator();
    }

    function nonces(address owner) external view returns (uint256) {
        return _permitNonces[owner];
    }

    function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        whenNotPaused
        notBlacklisted(owner)
        notBlacklisted(spender)
    {
        _permit(owner, spender, value, deadline, abi.encodePacked(r, s, v));
    }

    /// USDC v2.2's form for contract wallets: the signature is checked through ERC-1271 when the
    /// owner has code.
    function permit(address owner, address spender, uint256 value, uint256 deadline, bytes memory signature)
        external
        whenNotPaused
        notBlacklisted(owner)
        notBlacklisted(spender)
    {
        _permit(owner, spender, value, deadline, signature);
    }

    /// EIP-2612: the deadline second itself is still valid, and a deadline of 2^256 - 1 never
    /// passes; the nonce is consumed only if the signature holds.
    function _permit(address owner, address spender, uint256 value, uint256 deadline, bytes memory signature) private {
        require(deadline == type(uint256).max || deadline >= block.timestamp, "FiatTokenV2: permit is expired");
        bytes32 structHash =
            keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, _permitNonces[owner]++, deadline));
        require(_isValidSignatureNow(owner, _typedDataHash(structHash), signature), "EIP2612: invalid signature");
        _approve(owner, spender, value);
    }
}
