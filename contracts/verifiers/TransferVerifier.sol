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

contract TransferVerifier {
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
    uint256 constant deltax1 = 17817381742073623685176623748586045153745172846713838790960024457171505586867;
    uint256 constant deltax2 = 2834738559519777315063323572605580235792360564715994096743013708035937252754;
    uint256 constant deltay1 = 5738476490129929490261459756964966534974101715434719841837129640144523528102;
    uint256 constant deltay2 = 6670432462956411745386956567952018489327375567013556187658729066498451263436;

    
    uint256 constant IC0x = 17436370760605850546636954700869269939027388564608388763321895820578800435740;
    uint256 constant IC0y = 16222565119757484156659616631992514374187897721100985396686872773231908579546;
    
    uint256 constant IC1x = 21288377913317777358961630115563806543418513877023717029749559353065686730444;
    uint256 constant IC1y = 7610877697811819016285736227806437348834473498363236571059190367205963078659;
    
    uint256 constant IC2x = 3008634527563123148444663129497774076820098259530822985089881581201952674674;
    uint256 constant IC2y = 17360643006994876850275711158852611241404470999670219116191091413659142185091;
    
    uint256 constant IC3x = 11325825368524699015238655447082710401582122071966673105614702143232534822026;
    uint256 constant IC3y = 3061792698514826932580109955559447065442220352688979076742742522755185826292;
    
    uint256 constant IC4x = 11703143417097945402616368449073285336521392068695825021252604244723470665776;
    uint256 constant IC4y = 4453086405641132345086716016787798628124041471176197221617896233975986397130;
    
    uint256 constant IC5x = 12474003989368897475231987999285939902485590259900545796887660337764832202513;
    uint256 constant IC5y = 16555892928222806418047785790883910732750448715453630137849440603533245207073;
    
    uint256 constant IC6x = 19947778730386162563486510470184077912429607588885094771774165450388788440454;
    uint256 constant IC6y = 8991865779867465220433598044307466010022967048117777885243521674468823544194;
    
    uint256 constant IC7x = 15767657814544610838333519346940326928140180161985915857690064048042251087032;
    uint256 constant IC7y = 19133021597796386251549803965169779852475299487550956537464114466779170763261;
    
    uint256 constant IC8x = 16416894627638898648506304860257482301176116097445761802883699802839295114849;
    uint256 constant IC8y = 16293587528969979843304582317906843854802853313302942187293515267874581542264;
    
    uint256 constant IC9x = 9528517527817297559978842536527568367949449522440502785657213535840376962472;
    uint256 constant IC9y = 18717242929071225152611234843866249494781396481899814181350895999760710901078;
    
    uint256 constant IC10x = 1505717203175892242334407648673569816243673132013668483603832966657103873941;
    uint256 constant IC10y = 7855988352779780038415862455116349089063743180889268040444149254713904906794;
    
    uint256 constant IC11x = 20857121844009677763936734168488842758220448895564062156637731623760384875599;
    uint256 constant IC11y = 19309732743402291594888500451422603748820284469019957681869749286174440803767;
    
    uint256 constant IC12x = 19660209469505068169340519097291564264736900415256151421818803710735023626373;
    uint256 constant IC12y = 962213148597713241972613962629986647339253368805273252320835437437164984056;
    
    uint256 constant IC13x = 1836855711186138826643179080233343838057566276956563972852640268253954785619;
    uint256 constant IC13y = 6387588548499421200928802950578797092062877985615914495184136238603301312580;
    
    uint256 constant IC14x = 13073100973315996930740344856641180556902889359971532936073455652190263141835;
    uint256 constant IC14y = 15997076531254486998419021242291322073479353163072180972272037963200699330523;
    
    uint256 constant IC15x = 95100970766049123758905323565573061817380745275873514816978501812080341998;
    uint256 constant IC15y = 2786309001455305094767305902480704382703041838035769144570469570366811159575;
    
    uint256 constant IC16x = 17862222237480950968839078728526405901330497943544161933690911232724683841925;
    uint256 constant IC16y = 16483661775903027641273527423802038310702686779667752036092283758465015740040;
    
    uint256 constant IC17x = 13166959687589310872371584365498244644671087879620893079705716720611354981524;
    uint256 constant IC17y = 1806748775049345411125376936803384587044442953776149073762711392980423974528;
    
    uint256 constant IC18x = 9212773777566966467809915484285298855133613004038435946380915559412109955039;
    uint256 constant IC18y = 17926560772871522059915622747627501127589499571348739436330319704330824081068;
    
    uint256 constant IC19x = 9983132470602575728111327493502191317045558371433237484210709561152567889525;
    uint256 constant IC19y = 16286651258355746692601713098461200833071637122063366541541785668976562520038;
    
    uint256 constant IC20x = 6852608421076963739403220493863327999678474797936140614000183966514000139350;
    uint256 constant IC20y = 15054867304870101488962719713491008627455859434095770232071404727905320511684;
    
    uint256 constant IC21x = 20911198291199142037732297486866801278356396646907813425262771256993252091194;
    uint256 constant IC21y = 8857280323273719725938357907433593650530309674523839100099174496740101571127;
    
    uint256 constant IC22x = 14529747538813566823649881322895635563091869239881448210013111737556710933969;
    uint256 constant IC22y = 21433923994207834022367279436097654780672366536269517461468558341500453075172;
    
 
    // Memory data
    uint16 constant pVk = 0;
    uint16 constant pPairing = 128;

    uint16 constant pLastMem = 896;

    function verifyProof(uint[2] calldata _pA, uint[2][2] calldata _pB, uint[2] calldata _pC, uint[22] calldata _pubSignals) public view returns (bool) {
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
                
                g1_mulAccC(_pVk, IC13x, IC13y, calldataload(add(pubSignals, 384)))
                
                g1_mulAccC(_pVk, IC14x, IC14y, calldataload(add(pubSignals, 416)))
                
                g1_mulAccC(_pVk, IC15x, IC15y, calldataload(add(pubSignals, 448)))
                
                g1_mulAccC(_pVk, IC16x, IC16y, calldataload(add(pubSignals, 480)))
                
                g1_mulAccC(_pVk, IC17x, IC17y, calldataload(add(pubSignals, 512)))
                
                g1_mulAccC(_pVk, IC18x, IC18y, calldataload(add(pubSignals, 544)))
                
                g1_mulAccC(_pVk, IC19x, IC19y, calldataload(add(pubSignals, 576)))
                
                g1_mulAccC(_pVk, IC20x, IC20y, calldataload(add(pubSignals, 608)))
                
                g1_mulAccC(_pVk, IC21x, IC21y, calldataload(add(pubSignals, 640)))
                
                g1_mulAccC(_pVk, IC22x, IC22y, calldataload(add(pubSignals, 672)))
                

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
            
            checkField(calldataload(add(_pubSignals, 384)))
            
            checkField(calldataload(add(_pubSignals, 416)))
            
            checkField(calldataload(add(_pubSignals, 448)))
            
            checkField(calldataload(add(_pubSignals, 480)))
            
            checkField(calldataload(add(_pubSignals, 512)))
            
            checkField(calldataload(add(_pubSignals, 544)))
            
            checkField(calldataload(add(_pubSignals, 576)))
            
            checkField(calldataload(add(_pubSignals, 608)))
            
            checkField(calldataload(add(_pubSignals, 640)))
            
            checkField(calldataload(add(_pubSignals, 672)))
            

            // Validate all evaluations
            let isValid := checkPairing(_pA, _pB, _pC, _pubSignals, pMem)

            mstore(0, isValid)
             return(0, 0x20)
         }
     }
 }
