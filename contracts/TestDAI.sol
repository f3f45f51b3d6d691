// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// A test DAI: 18 decimals and a mint the owner (Tally's faucet) controls. Mainnet DAI's permit
/// predates EIP-2612 (holder, nonce, expiry, allowed); this one is plain EIP-2612 so both test
/// tokens share one permit path.
contract TestDAI is ERC20, ERC20Permit, Ownable {
    constructor(address initialOwner) ERC20("Dai Stablecoin", "DAI") ERC20Permit("Dai Stablecoin") Ownable(initialOwner) {}

    function mint(address to, uint256 value) external onlyOwner {
        _mint(to, value);
    }
}
