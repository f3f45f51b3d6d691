import type { paths } from './schema';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The JSON a successful call answers with, as the OpenAPI document types it. */
type SuccessBody<
  Path extends keyof paths,
  M extends Method,
  Status extends number = 200,
> = paths[Path][M] extends {
  responses: { [S in Status]: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;

type Item<List> = List extends { items: (infer T)[] } ? T : never;

export type User = SuccessBody<'/api/auth/me', 'get'>['user'];
export type Session = Item<SuccessBody<'/api/auth/sessions', 'get'>>;
export type ApiKey = Item<SuccessBody<'/api/auth/api-keys', 'get'>>;
export type ApiKeyScope = Item<SuccessBody<'/api/auth/api-keys/scopes', 'get'>>;
export type CreatedApiKey = SuccessBody<'/api/auth/api-keys', 'post', 201>;
export type OrganizationKind = Item<SuccessBody<'/api/orgs/kinds', 'get'>>;
export type Organization = SuccessBody<'/api/orgs/{id}', 'get'>;
export type Member = Item<SuccessBody<'/api/orgs/{id}/members', 'get'>>;
export type Invitation = Item<SuccessBody<'/api/orgs/{id}/invitations', 'get'>>;
export type InvitationPreview = SuccessBody<'/api/invitations/{token}', 'get'>;
export type Notification = Item<SuccessBody<'/api/notifications', 'get'>>;
export type NotificationSetting = Item<SuccessBody<'/api/notifications/settings', 'get'>>;
export type NotificationChannel = NotificationSetting['channel'];
export type MailSummary = Item<SuccessBody<'/api/mail/messages', 'get'>>;
export type MailMessage = SuccessBody<'/api/mail/messages/{id}', 'get'>;
export type AuditEntry = Item<SuccessBody<'/api/audit', 'get'>>;
export type AuditQuery = NonNullable<paths['/api/audit']['get']['parameters']['query']>;
export type ChainInfo = SuccessBody<'/api/chain', 'get'>;
export type ChainToken = ChainInfo['tokens'][number];
export type ChainStatus = SuccessBody<'/api/chain/status', 'get'>;
export type ChainTransaction = SuccessBody<'/api/chain/transactions/{id}', 'get'>;
export type ChainTransactionState = ChainTransaction['state'];
export type CreditsProfile = SuccessBody<'/api/credits/me', 'get'>;
export type CreditsHolding = CreditsProfile['holdings'][number];
export type CreditsBalance = SuccessBody<'/api/credits/balance', 'get'>;
export type CreditsUserType = NonNullable<CreditsProfile['type']>;
export type CreditsProduct = SuccessBody<'/api/credits/products/{id}', 'get'>;
export type CreditsProductType = CreditsProduct['type'];
export type CreditsRefillCycle = CreditsProduct['refill_cycle'];
export type CreditsActionPrice = Item<SuccessBody<'/api/credits/action-prices', 'get'>>;
export type CreditsCatalogueProduct = Item<SuccessBody<'/api/credits/catalogue', 'get'>>;
export type CreditsWorkspace = SuccessBody<'/api/credits/workspaces/{id}', 'get'>;
export type CreditsUsage = Item<SuccessBody<'/api/credits/usages', 'get'>>;
export type CreditsUsageQuery = NonNullable<paths['/api/credits/usages']['get']['parameters']['query']>;
export type CreditsUsageBucket = Item<SuccessBody<'/api/credits/usage-by-action', 'get'>>;
export type CreditsReservation = Item<SuccessBody<'/api/credits/reservations', 'get'>>;
export type CreditsGrant = Item<SuccessBody<'/api/credits/grants', 'get'>>;
export type CreditsGrantDetail = SuccessBody<'/api/credits/grants/{id}', 'get'>;
export type CreditsCustomer = Item<SuccessBody<'/api/credits/users', 'get'>>;
export type CreditsPurchase = Item<SuccessBody<'/api/credits/purchases', 'get'>>;
export type CreditsIntegration = Item<SuccessBody<'/api/credits/integrations', 'get'>>;
export type CreatedCreditsIntegration = SuccessBody<'/api/credits/integrations', 'post', 201>;
export type CreditsWhitelabel = SuccessBody<'/api/credits/whitelabel', 'get'>;
export type CreditsCheckoutOffer = SuccessBody<'/api/credits/checkout/{productId}', 'get'>;
export type CreditsCheckout = SuccessBody<'/api/credits/checkouts/{id}', 'get'>;
export type CreditsAdminCheckout = Item<SuccessBody<'/api/credits/checkouts', 'get'>>;
export type CreditsPurchaseDetail = SuccessBody<'/api/credits/purchases/{id}', 'get'>;
export type CreditsWebhookDelivery = Item<SuccessBody<'/api/credits/integrations/{id}/deliveries', 'get'>>;
export type CoopClub = SuccessBody<'/api/coop/clubs/{id}', 'get'>;
export type CoopInviteLink = Item<SuccessBody<'/api/coop/clubs/{id}/invite-links', 'get'>>;
export type CreatedCoopInviteLink = SuccessBody<'/api/coop/clubs/{id}/invite-links', 'post', 201>;
export type CoopInvitePreview = SuccessBody<'/api/coop/invite-links/{token}', 'get'>;
export type CoopHousehold = SuccessBody<'/api/coop/households/{id}', 'get'>;
export type CoopHouseholdMember = CoopHousehold['members'][number];
export type CoopJoinRequest = Item<SuccessBody<'/api/coop/households/{id}/join-requests', 'get'>>;
export type CoopProducer = SuccessBody<'/api/coop/producers/{id}', 'get'>;
export type CoopEditorPolicy = CoopProducer['editor_policy'];
export type CoopProduct = Item<SuccessBody<'/api/coop/clubs/{id}/products', 'get'>>;
export type CoopProductUnit = CoopProduct['unit'];
export type CoopProductWithHistory = SuccessBody<'/api/coop/products/{id}', 'get'>;
export type CoopProductVersion = CoopProductWithHistory['versions'][number];
export type CoopProductInput = NonNullable<
  paths['/api/coop/producers/{id}/products']['post']['requestBody']
>['content']['application/json'];
export type CoopCategory = Item<SuccessBody<'/api/coop/clubs/{id}/categories', 'get'>>;
export type CoopProductImport = SuccessBody<'/api/coop/producers/{id}/products/import', 'post'>;
export type CoopImportRow = CoopProductImport['rows'][number];
export type CoopProductsQuery = NonNullable<
  paths['/api/coop/clubs/{id}/products']['get']['parameters']['query']
>;
export type CoopOrderSummary = Item<SuccessBody<'/api/coop/clubs/{id}/orders', 'get'>>;
export type CoopOrderStatus = CoopOrderSummary['status'];
export type CoopAllocationRule = SuccessBody<'/api/coop/clubs/{id}/order-settings', 'get'>['allocation_rule'];
export type CoopOrderDetail = SuccessBody<'/api/coop/orders/{id}', 'get'>;
export type CoopOrderProducer = CoopOrderDetail['producers'][number];
export type CoopOrderProduct = CoopOrderDetail['products'][number];
export type CoopOrderBill = CoopOrderDetail['bills'][number];
export type CoopOrderTask = CoopOrderDetail['tasks'][number];
export type CoopOrderEvent = CoopOrderDetail['activity'][number];
export type CoopHouseholdOrder = NonNullable<SuccessBody<'/api/coop/orders/{id}/household-order', 'get'>>;
export type CoopOrderLine = CoopHouseholdOrder['lines'][number];
export type CoopBill = NonNullable<CoopHouseholdOrder['bill']>;
export type CoopPaymentState = CoopBill['payment_state'];
export type CoopBillChange = CoopHouseholdOrder['changes'][number];
export type CoopCatalogueProduct = Item<SuccessBody<'/api/coop/orders/{id}/catalogue', 'get'>>;
export type CoopDeliveryInput = NonNullable<
  paths['/api/coop/orders/{id}/products/{productId}/delivery']['put']['requestBody']
>['content']['application/json'];
export type CoopDeliveryOutcome = CoopDeliveryInput['outcome'];
export type CoopBadPaymentReason = NonNullable<
  paths['/api/coop/orders/{id}/bills/{householdId}/bad-payment']['post']['requestBody']
>['content']['application/json']['reason'];
export type CoopHouseholdAccount = SuccessBody<'/api/coop/households/{id}/account', 'get'>;
export type CoopAccountEntry = CoopHouseholdAccount['entries'][number];
export type CoopClubBankAccount = NonNullable<
  SuccessBody<'/api/coop/clubs/{id}/bank-account', 'get'>['account']
>;
export type CoopStatementImport = SuccessBody<'/api/coop/clubs/{id}/bank-statements', 'post', 201>;
export type CoopBankStatement = Item<SuccessBody<'/api/coop/clubs/{id}/bank-statements', 'get'>>;
export type CoopBankLine = Item<SuccessBody<'/api/coop/clubs/{id}/bank-lines', 'get'>>;
export type CoopBankLineState = CoopBankLine['state'];
export type CoopPaymentBatch = SuccessBody<'/api/coop/clubs/{id}/payment-batches', 'post', 201>;
export type StreamsProducer = SuccessBody<'/api/streams/producer', 'patch'>;
export type StreamsPublicProducer = SuccessBody<'/api/streams/producers/{id}', 'get'>['producer'];
export type StreamsProducerListing = Item<SuccessBody<'/api/streams/producers', 'get'>>;
export type StreamsPlan = SuccessBody<'/api/streams/plans/{id}', 'get'>;
export type StreamsProducerStats = SuccessBody<'/api/streams/producer/stats', 'get'>;
export type StreamsPlanKind = StreamsPlan['kind'];
export type StreamsPlanStatus = StreamsPlan['status'];
export type StreamsPlanToken = StreamsPlan['token']['symbol'];
export type StreamsPricePeriod = NonNullable<StreamsPlan['stream']>['period'];
export type StreamsPlanInput = NonNullable<
  paths['/api/streams/producer/plans']['post']['requestBody']
>['content']['application/json'];
export type Tenant = NonNullable<SuccessBody<'/api/tenant', 'get'>['tenant']>;
