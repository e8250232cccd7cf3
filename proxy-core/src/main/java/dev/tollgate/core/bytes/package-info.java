/** Byte searches a word at a time, shared by the head decoder and the JSON readers. */
package dev.tollgate.core.bytes;
