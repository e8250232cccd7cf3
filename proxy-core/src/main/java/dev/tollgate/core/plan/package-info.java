/** Plan catalogues: which routes, models, limits and prices a tenant's plan grants, loaded from YAML. */
package dev.tollgate.core.plan;
