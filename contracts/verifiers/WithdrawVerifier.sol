// SPDX-License-Identifier: GPL-3.0
/*
    Copyright 2021 0KIMS association.

    This file is generated with [snarkJS](https://github.com/iden3/snarkjs).

    snarkJS is a free software: you can redistribute it and/or modify it
    under the terms of the GNU General Public License as published by
    the Free Software Foundation, either version 3 of the License, or
    (at your option) any later version.

    snarkJS is distributed in the hope that it will be useful, but WITHOUT
    ANY WARRANTY; without even the implied warranty of MERCHANTABILITY
    or FITNESS FOR A PARTICULAR PURPOSE. See the GNU General Public
    License for more details.

    You should have received a copy of the GNU General Public License
    along with snarkJS. If not, see <https://www.gnu.org/licenses/>.
*/

pragma solidity >=0.7.0 <0.9.0;

contract WithdrawVerifier {
    // Scalar field size
    uint256 constant r    = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    // Base field size
    uint256 constant q   = 21888242871839275222246405745257275088696311157297823662689037894645226208583;

    // Verification Key data
    uint256 constant alphax  = 11621985811493946960041840299928503113876825363226628881238352408258667551878;
    uint256 constant alphay  = 18025322447040427549086285656524772977997380727542758036187713765690939235113;
    uint256 constant betax1  = 9327205670941504633611914817758744140198192681657342976879532893683815523853;
    uint256 constant betax2  = 19626927978656055518388326311803135282478412700729100637478409261276258645786;
    uint256 constant betay1  = 13079862255139200596177240351342987868805899163517449981885825095175148440221;
    uint256 constant betay2  = 10499496379383742021707442761367834961507124298652484825217820112118555869629;
    uint256 constant gammax1 = 11559732032986387107991004021392285783925812861821192530917403151452391805634;
    uint256 constant gammax2 = 10857046999023057135944570762232829481370756359578518086990519993285655852781;
    uint256 constant gammay1 = 4082367875863433681332203403145435568316851327593401208105741076214120093531;
    uint256 constant gammay2 = 8495653923123431417604973247489272438418190587263600148770280649306958101930;
    uint256 constant deltax1 = 2974694627981561021198719113362891369813809865639662045458039071993753270096;
    uint256 constant deltax2 = 2012179388352876428817593801115409297306869829543597998888136256658021105805;
    uint256 constant deltay1 = 20175953474093408024353050809079918095365526534011683980901249485756217171879;
    uint256 constant deltay2 = 10683804159193899353211803437505546585082098368030164983502153366126876360627;

    
    uint256 constant IC0x = 3423643766221127516412601454313627723351675333459686818986290965033757970032;
    uint256 constant IC0y = 8828710726916917041749490865322616439366099088815749156355515637690115557321;
    
    uint256 constant IC1x = 16765497374434920992468609251439972431580093664119811591194646736497232526161;
    uint256 constant IC1y = 20483648424684404750777733214857919620065462537713481749819042050585786038220;
    
    uint256 constant IC2x = 12652399737222893333791725632166693953814248501534393491199226324639480360669;
    uint256 constant IC2y = 13350304825584629437535221041691611705923337573747774610261747176580068207128;
    
    uint256 constant IC3x = 10120091037544791991738863300781012728116756080331281736470779425342503141967;
    uint256 constant IC3y = 14688928816893101639563743314094377200108350219587563930231251125544713589324;
    
    uint256 constant IC4x = 13860080928948324497250600907608461427220068006411231549782600853039220732591;
    uint256 constant IC4y = 8853851062889631646915857544537712946777231925870079831500354680222095605031;
    
    uint256 constant IC5x = 11673339179043948855929191704138675004655407972575693150423696191331998762279;
    uint256 constant IC5y = 17118578821891749506947121735850322504624683956007377767608581385884441941855;
    
    uint256 constant IC6x = 4711993790451858907315078256791196963228418014733363312731438963147711026291;
    uint256 constant IC6y = 5426159068157147041273499863696930621162889734009738783532662986099792086444;
    
    uint256 constant IC7x = 10727361400040334274128372568602535784338211150771462485107844912015210625366;
    uint256 constant IC7y = 8070745841852319466575547145812884099332859700228657464083078008617511123667;
    
    uint256 constant IC8x = 9994962691923527668182595149496249803417416349515536009044124955829663912693;
    uint256 constant IC8y = 17911527172414996727350324639310005234332160995113102746851016858814065751603;
    
    uint256 constant IC9x = 20720939539623090702119601077766757745605884463701586553655357244719207027877;
    uint256 constant IC9y = 9416546739941876438397400967836709805791206926080096202538116962548864094404;
    
    uint256 constant IC10x = 3176399082612237207097146093807958598633993664186587767924967037125497646007;
    uint256 constant IC10y = 4828084415288031110105666715849114421290707309992137331724480888960602062664;
    
    uint256 constant IC11x = 21573447871368179774371654668181702753773671393701506410996992828270177192074;
    uint256 constant IC11y = 20869247707607191646350056165868535519767151403192802249830788991945163078746;
    
    uint256 constant IC12x = 4932214011167241154564330340777217894121600442472900464708567249544371101567;
    uint256 constant IC12y = 2214640256573202887276476807796318096609062343963569541648850866817366671081;
    
 
    // Memory data
    uint16 constant pVk = 0;
    uint16 constant pPairing = 128;

    uint16 constant pLastMem = 896;

    function verifyProof(uint[2] calldata _pA, uint[2][2] calldata _pB, uint[2] calldata _pC, uint[12] calldata _pubSignals) public view returns (bool) {
        assembly {
            function checkField(v) {
                if iszero(lt(v, r)) {
                    mstore(0, 0)
                    return(0, 0x20)
                }
            }
            
            // G1 function to multiply a G1 value(x,y) to value in an address
            function g1_mulAccC(pR, x, y, s) {
                let success
                let mIn := mload(0x40)
                mstore(mIn, x)
                mstore(add(mIn, 32), y)
                mstore(add(mIn, 64), s)

                success := staticcall(sub(gas(), 2000), 7, mIn, 96, mIn, 64)

                if iszero(success) {
                    mstore(0, 0)
                    return(0, 0x20)
                }

                mstore(add(mIn, 64), mload(pR))
                mstore(add(mIn, 96), mload(add(pR, 32)))

                success := staticcall(sub(gas(), 2000), 6, mIn, 128, pR, 64)

                if iszero(success) {
                    mstore(0, 0)
                    return(0, 0x20)
                }
            }

            function checkPairing(pA, pB, pC, pubSignals, pMem) -> isOk {
                let _pPairing := add(pMem, pPairing)
                let _pVk := add(pMem, pVk)

                mstore(_pVk, IC0x)
                mstore(add(_pVk, 32), IC0y)

                // Compute the linear combination vk_x
                
                g1_mulAccC(_pVk, IC1x, IC1y, calldataload(add(pubSignals, 0)))
                
                g1_mulAccC(_pVk, IC2x, IC2y, calldataload(add(pubSignals, 32)))
                
                g1_mulAccC(_pVk, IC3x, IC3y, calldataload(add(pubSignals, 64)))
                
                g1_mulAccC(_pVk, IC4x, IC4y, calldataload(add(pubSignals, 96)))
                
                g1_mulAccC(_pVk, IC5x, IC5y, calldataload(add(pubSignals, 128)))
                
                g1_mulAccC(_pVk, IC6x, IC6y, calldataload(add(pubSignals, 160)))
                
                g1_mulAccC(_pVk, IC7x, IC7y, calldataload(add(pubSignals, 192)))
                
                g1_mulAccC(_pVk, IC8x, IC8y, calldataload(add(pubSignals, 224)))
                
                g1_mulAccC(_pVk, IC9x, IC9y, calldataload(add(pubSignals, 256)))
                
                g1_mulAccC(_pVk, IC10x, IC10y, calldataload(add(pubSignals, 288)))
                
                g1_mulAccC(_pVk, IC11x, IC11y, calldataload(add(pubSignals, 320)))
                
                g1_mulAccC(_pVk, IC12x, IC12y, calldataload(add(pubSignals, 352)))
                

                // -A
                mstore(_pPairing, calldataload(pA))
                mstore(add(_pPairing, 32), mod(sub(q, calldataload(add(pA, 32))), q))

                // B
                mstore(add(_pPairing, 64), calldataload(pB))
                mstore(add(_pPairing, 96), calldataload(add(pB, 32)))
                mstore(add(_pPairing, 128), calldataload(add(pB, 64)))
                mstore(add(_pPairing, 160), calldataload(add(pB, 96)))

                // alpha1
                mstore(add(_pPairing, 192), alphax)
                mstore(add(_pPairing, 224), alphay)

                // beta2
                mstore(add(_pPairing, 256), betax1)
                mstore(add(_pPairing, 288), betax2)
                mstore(add(_pPairing, 320), betay1)
                mstore(add(_pPairing, 352), betay2)

                // vk_x
                mstore(add(_pPairing, 384), mload(add(pMem, pVk)))
                mstore(add(_pPairing, 416), mload(add(pMem, add(pVk, 32))))


                // gamma2
                mstore(add(_pPairing, 448), gammax1)
                mstore(add(_pPairing, 480), gammax2)
                mstore(add(_pPairing, 512), gammay1)
                mstore(add(_pPairing, 544), gammay2)

                // C
                mstore(add(_pPairing, 576), calldataload(pC))
                mstore(add(_pPairing, 608), calldataload(add(pC, 32)))

                // delta2
                mstore(add(_pPairing, 640), deltax1)
                mstore(add(_pPairing, 672), deltax2)
                mstore(add(_pPairing, 704), deltay1)
                mstore(add(_pPairing, 736), deltay2)


                let success := staticcall(sub(gas(), 2000), 8, _pPairing, 768, _pPairing, 0x20)

                isOk := and(success, mload(_pPairing))
            }

            let pMem := mload(0x40)
            mstore(0x40, add(pMem, pLastMem))

            // Validate that all evaluations ∈ F
            
            checkField(calldataload(add(_pubSignals, 0)))
            
            checkField(calldataload(add(_pubSignals, 32)))
            
            checkField(calldataload(add(_pubSignals, 64)))
            
            checkField(calldataload(add(_pubSignals, 96)))
            
            checkField(calldataload(add(_pubSignals, 128)))
            
            checkField(calldataload(add(_pubSignals, 160)))
            
            checkField(calldataload(add(_pubSignals, 192)))
            
            checkField(calldataload(add(_pubSignals, 224)))
            
            checkField(calldataload(add(_pubSignals, 256)))
            
            checkField(calldataload(add(_pubSignals, 288)))
            
            checkField(calldataload(add(_pubSignals, 320)))
            
            checkField(calldataload(add(_pubSignals, 352)))
            

            // Validate all evaluations
            let isValid := checkPairing(_pA, _pB, _pC, _pubSignals, pMem)

            mstore(0, isValid)
             return(0, 0x20)
         }
     }
 }
