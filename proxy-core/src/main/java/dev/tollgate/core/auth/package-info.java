/** Guards who is calling: API key verification through a cache, and the immutable principal. */
package dev.tollgate.core.auth;
