package dev.tollgate.core.error;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A response a handler wrote on an {@link EmbeddedChannel}, read back whether it was written as a
 * {@link FullHttpResponse} object or as bytes through the codec. Reading releases what was written.
 */
public record WrittenResponse(int status, HttpHeaders headers, String body) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Reads the next outbound response, or fails if none was written. */
  public static WrittenResponse read(EmbeddedChannel channel) {
    Object first = channel.readOutbound();
    if (first == null) {
      throw new AssertionError("no response was written");
    }
    if (first instanceof FullHttpResponse response) {
      try {
        return new WrittenResponse(response.status().code(), response.headers().copy(),
            response.content().toString(StandardCharsets.UTF_8));
      } finally {
        response.release();
      }
    }
    // bytes from the response encoder: decode them with a client-side codec
    EmbeddedChannel client = new EmbeddedChannel(new HttpResponseDecoder(), new HttpObjectAggregator(1 << 20));
    Object next = first;
    while (next != null) {
      client.writeInbound((ByteBuf) next);
      next = channel.readOutbound();
    }
    FullHttpResponse response = client.readInbound();
    client.finishAndReleaseAll();
    if (response == null) {
      throw new AssertionError("the written bytes are not a complete response");
    }
    try {
      return new WrittenResponse(response.status().code(), response.headers().copy(),
          response.content().toString(StandardCharsets.UTF_8));
    } finally {
      response.release();
    }
  }

  public JsonNode json() {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("body is not JSON: " + body, e);
    }
  }

  /** The {@code code} of the error in either dialect. */
  public String errorCode() {
    return json().path("error").path("code").asText(null);
  }
}
