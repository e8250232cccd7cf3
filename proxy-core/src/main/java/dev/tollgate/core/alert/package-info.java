/**
 * Usage and margin alerts: each plan threshold fires once per tenant and period (remembered across
 * restarts by an {@link dev.tollgate.core.alert.AlertStore}), delivered as signed, retried webhooks.
 */
package dev.tollgate.core.alert;
