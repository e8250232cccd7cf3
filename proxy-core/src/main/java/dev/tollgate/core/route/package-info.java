/** Guards where a request goes: provider, operation and upstream path, decided once per request. */
package dev.tollgate.core.route;
