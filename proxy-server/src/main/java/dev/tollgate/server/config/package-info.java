/** Guards configuration loading: defaults, environment substitution, strict validation, hot reload. */
package dev.tollgate.server.config;
