import { defineErrors } from '../../core/errors';

/** The float's refusals (src/credits/float/). */
export const floatErrors = defineErrors({
  float_database_not_ready: {
    status: 409,
    description:
      'The reseller has no database of its own ready: a float is moved into one (POST /whitelabel/database)',
  },
});
