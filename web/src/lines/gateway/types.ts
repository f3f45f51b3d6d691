import type { components, paths } from '../../api/schema';

/** The gateway API's shapes, as the API document types them. */
type Schemas = components['schemas'];
type Json<Response> = Response extends { content: { 'application/json': infer Body } } ? Body : never;

export type GatewayBalance = Schemas['GatewayBalance'];
export type GatewayUserState = GatewayBalance['state'];
export type GatewayDeposit = Schemas['GatewayDeposit'];
export type GatewayDepositState = GatewayDeposit['state'];
export type GatewayDepositTerms = Schemas['AuthorizationTerms'];
export type GatewayCall = Schemas['GatewayCall'];
export type GatewayCallState = GatewayCall['state'];
export type GatewayGrant = Schemas['GatewayGrant'];
export type GatewayWithdrawal = Schemas['GatewayWithdrawal'];
export type GatewayCatalogueServer = Schemas['GatewayCatalogueServer'];
/** The API document types these named schemas as nullable (they are used nullable in one answer each). */
export type GatewayProvider = NonNullable<Schemas['GatewayProvider']>;
export type GatewayKycState = GatewayProvider['kyc']['state'];
export type GatewayKycDocument = Schemas['GatewayKycDocument'];
export type GatewayKycDocumentKind = GatewayKycDocument['kind'];
export type GatewayServer = Schemas['GatewayServer'];
export type GatewayTool = Schemas['GatewayTool'];
export type GatewaySettings = Schemas['GatewaySettings'];
export type GatewaySettlement = Schemas['GatewaySettlement'];
export type GatewayPayout = NonNullable<Schemas['GatewayPayout']>;
export type GatewaySpend = Json<paths['/api/gateway/spend']['get']['responses'][200]>;
export type GatewaySpendItem = GatewaySpend['items'][number];
export type GatewayEarnings = Json<paths['/api/gateway/provider/earnings']['get']['responses'][200]>;
export type GatewayProviderState = GatewayEarnings['state'];
export type GatewaySettlementDetail = Json<paths['/api/gateway/settlements/{id}']['get']['responses'][200]>;
export type GatewayProviderEarning = GatewaySettlementDetail['earnings'][number];
export type GatewayDiscrepancy = GatewaySettlementDetail['discrepancies'][number];
export type GatewayServerChange = NonNullable<
  paths['/api/gateway/servers/{id}']['patch']['requestBody']
>['content']['application/json'];
export type GatewayEncrypted = Json<paths['/api/gateway/provider/encrypted']['get']['responses'][200]>;
export type GatewayEncryptedAccount = NonNullable<GatewayEncrypted['account']>;
export type GatewayEncryptedClaim = GatewayEncrypted['claims'][number];
export type GatewayRegistration = Json<
  paths['/api/gateway/provider/encrypted/registration']['post']['responses'][200]
>;
export type GatewayEncryptedAudit = Json<
  paths['/api/gateway/encrypted/audits']['get']['responses'][200]
>['audits'][number];
