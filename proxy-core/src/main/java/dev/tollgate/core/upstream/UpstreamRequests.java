package dev.tollgate.core.upstream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.config.ProviderConfig;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.guard.FlatHttpHeaders;
import dev.tollgate.core.guard.HeaderNameCache;
import dev.tollgate.core.route.Operation;
import dev.tollgate.core.route.RouteMatch;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Builds the request sent upstream from the client's: same method, path (under the provider's base
 * path) and query; every end-to-end header passes through ({@code anthropic-version},
 * {@code OpenAI-Beta}, {@code Idempotency-Key}, ...); hop-by-hop headers and the client's credentials
 * do not; the provider's key is added in the provider's auth style. For a streaming chat completion
 * that did not ask for usage, {@code stream_options.include_usage} is added so the tap can meter it.
 */
final class UpstreamRequests {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AsciiString IDENTITY = AsciiString.cached("identity");
  private static final AsciiString TOLLGATE_PREFIX = AsciiString.cached("x-tollgate-");
  /**
   * Hop-by-hop headers, the client's credentials and {@code x-tollgate-*}, matched ignoring case (a
   * client's name is never lower-cased, nor copied, to look it up), and the headers every request gets
   * anew (Host, Accept-Encoding, Content-Length, the provider's credentials): the one pass that drops
   * them all lets the new ones be added, not set, so no name is looked up a second time.
   */
  private static final HeaderNames DROPPED = new HeaderNames(List.of(
      HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, AsciiString.cached("proxy-connection"),
      HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
      HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.PROXY_AUTHENTICATE,
      HttpHeaderNames.AUTHORIZATION, HeaderNameCache.X_API_KEY, HttpHeaderNames.HOST, HttpHeaderNames.ACCEPT_ENCODING,
      HttpHeaderNames.CONTENT_LENGTH, HttpHeaderNames.EXPECT), UpstreamRequests::isTollgateHeader);

  private UpstreamRequests() {
  }

  /**
   * The upstream request. Takes ownership of {@code client}'s content: the returned request holds it
   * (or a rewritten copy, in which case the original is released here).
   */
  static FullHttpRequest build(FullHttpRequest client, RequestContext request, ProviderKey providerKey) {
    RouteMatch route = request.route();
    ByteBuf body = client.content();
    if (needsUsageInjection(request)) {
      ByteBuf rewritten = withIncludeUsage(body);
      if (rewritten != null) {
        body.release();
        body = rewritten;
        request.usageInjected(true);
      }
    }
    // the client's request ends here: its headers object becomes the provider's, stripped in place
    HttpHeaders headers = client.headers();
    keepEndToEnd(headers);
    addHost(headers, route.endpoint().hostHeader());
    headers.add(HttpHeaderNames.ACCEPT_ENCODING, IDENTITY); // the usage tap reads plain bodies
    if (body.isReadable() || !client.method().name().equals("GET")) {
      headers.addInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    }
    ProviderConfig provider = route.provider();
    if (provider.auth().equals("x-api-key")) {
      headers.add(HeaderNameCache.X_API_KEY, providerKey.reveal());
    } else {
      headers.add(HttpHeaderNames.AUTHORIZATION, providerKey.revealAsBearer());
    }
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, client.method(), route.upstreamUri(), body,
        headers, io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
  }

  static boolean needsUsageInjection(RequestContext request) {
    return request.stream() && !request.clientIncludeUsage()
        && request.route().operation() == Operation.CHAT_COMPLETIONS
        && request.route().endpoint().dialect() == dev.tollgate.core.error.ErrorDialect.OPENAI;
  }

  /**
   * Removes from {@code headers} every hop-by-hop header, the client's credentials, {@code x-tollgate-*},
   * the headers its {@code Connection} header names and those {@link #build} adds anew; the others keep
   * the client's case (HTTP/1.1 names are case-insensitive, and so are Netty's header lookups).
   */
  private static void keepEndToEnd(HttpHeaders headers) {
    DROPPED.removeFrom(headers);
  }

  /** Host goes first, as RFC 9112 (3.2) asks of a user agent: the field a server routes by. */
  private static void addHost(HttpHeaders headers, String host) {
    if (headers instanceof FlatHttpHeaders flat) {
      flat.addFirst(HttpHeaderNames.HOST, host);
    } else {
      headers.set(HttpHeaderNames.HOST, host);
    }
  }

  private static boolean isTollgateHeader(CharSequence name) {
    return AsciiString.regionMatches(name, true, 0, TOLLGATE_PREFIX, 0, TOLLGATE_PREFIX.length());
  }

  /** The member added when the body has no {@code stream_options} at all (the SDKs' default). */
  private static final byte[] INCLUDE_USAGE_MEMBER =
      "\"stream_options\":{\"include_usage\":true},".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STREAM_OPTIONS_NAME = "stream_options".getBytes(StandardCharsets.US_ASCII);
  /** A \\u escape could spell a name ("stream\\u005foptions") that a byte search would not see. */
  private static final byte[] UNICODE_ESCAPE = {'\\', 'u'};

  /** The body with {@code stream_options.include_usage: true}, or null if it is not a JSON object. */
  private static ByteBuf withIncludeUsage(ByteBuf body) {
    ByteBuf inserted = insertIncludeUsage(body);
    return inserted != null ? inserted : rewriteWithJackson(body);
  }

  /**
   * The common case without a tree: a body that does not mention {@code stream_options} anywhere
   * (so not at its top level either, even spelled with escapes: a body with a {@code \\u} escape is
   * left to Jackson) gets the member inserted right after its opening brace; the route stage has
   * already refused bodies that are not JSON. A streaming request has at least
   * {@code "stream":true}, so a member follows and the comma is right. Null when the body is not of
   * that shape; Jackson then rewrites it. A second {@code stream_options} key must never be added: a
   * provider reading the last of two could be told to leave usage out, and the answer go unmetered.
   */
  private static ByteBuf insertIncludeUsage(ByteBuf body) {
    int from = body.readerIndex();
    int to = body.writerIndex();
    int brace = from;
    while (brace < to && isJsonSpace(body.getByte(brace))) {
      brace++;
    }
    if (brace == to || body.getByte(brace) != '{' || contains(body, from, to, STREAM_OPTIONS_NAME)
        || contains(body, from, to, UNICODE_ESCAPE)) {
      return null;
    }
    int next = brace + 1;
    while (next < to && isJsonSpace(body.getByte(next))) {
      next++;
    }
    if (next == to || body.getByte(next) != '"') {
      return null; // an empty object, or not JSON: let Jackson judge
    }
    ByteBuf out = body.alloc().buffer(body.readableBytes() + INCLUDE_USAGE_MEMBER.length);
    out.writeBytes(body, from, brace + 1 - from).writeBytes(INCLUDE_USAGE_MEMBER).writeBytes(body, brace + 1, to - brace - 1);
    return out;
  }

  private static boolean isJsonSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }

  private static boolean contains(ByteBuf buf, int from, int to, byte[] needle) {
    byte first = needle[0];
    for (int i = buf.indexOf(from, to, first); i >= 0 && i + needle.length <= to; i = buf.indexOf(i + 1, to, first)) {
      boolean match = true;
      for (int k = 1; k < needle.length && match; k++) {
        match = buf.getByte(i + k) == needle[k];
      }
      if (match) {
        return true;
      }
    }
    return false;
  }

  private static ByteBuf rewriteWithJackson(ByteBuf body) {
    try {
      if (!(JSON.readTree((java.io.InputStream) new ByteBufInputStream(body.duplicate())) instanceof ObjectNode root)) {
        return null;
      }
      ObjectNode options = root.get("stream_options") instanceof ObjectNode existing
          ? existing : root.putObject("stream_options");
      options.put("include_usage", true);
      ByteBuf out = body.alloc().buffer(body.readableBytes() + 48);
      try (ByteBufOutputStream stream = new ByteBufOutputStream(out)) {
        JSON.writeValue((java.io.OutputStream) stream, root);
      } catch (IOException | RuntimeException e) {
        out.release();
        return null;
      }
      return out;
    } catch (IOException e) {
      return null;
    }
  }
}
