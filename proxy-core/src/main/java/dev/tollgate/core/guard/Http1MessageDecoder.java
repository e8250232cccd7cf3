package dev.tollgate.core.guard;

import dev.tollgate.core.bytes.ByteWords;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.StringUtil;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * What our two HTTP/1.1 decoders share, the client's requests ({@link GatewayRequestDecoder}) and a
 * provider's responses: finding a head, reading its header lines, and reading bodies of every framing.
 * Messages are handed on as Netty's decoders hand them on (a head, then pieces of the body, the last one
 * a {@link LastHttpContent}), with these differences.
 * <ul>
 *   <li>A head is copied into an array of the event loop's as its line ends are searched for (eight bytes
 *       a step), and read from there. Lines found whole are not searched again when a read brings more.
 *   <li>Header names repeated from earlier messages are the strings made then ({@link HeaderNameCache}),
 *       and so are values ({@link HeaderValueCache}), except credentials and cookies, which are never kept.
 *   <li>A chunked body is de-chunked here: the data of every chunk one read brought goes on as one piece
 *       (the read's only chunk as a slice of the read, several copied into one buffer), and the last piece
 *       carries the rest of the data with it.
 *   <li>Framing is parsed strictly (CRLF line ends, one Content-Length of digits only, hex chunk sizes,
 *       CRLF after chunk data). Anything else fails the message, and the connection's further input is
 *       ignored: what follows a message whose end is in doubt cannot be trusted to be the next message.
 * </ul>
 * A subclass reads the start line and decides, from it and the framing headers, how the body is framed.
 */
public abstract class Http1MessageDecoder extends ByteToMessageDecoder {

  /** A chunk-size line (size, extensions) longer than this fails the message. */
  public static final int MAX_SIZE_LINE_BYTES = 4096;
  /** Trailer lines together longer than this fail the message. */
  public static final int MAX_TRAILER_BYTES = 16 * 1024;
  private static final int MAX_SIZE_DIGITS = 8; // up to 0x7fffffff after the check below

  private static final int HEAD = 0;
  private static final int FIXED = 1;
  private static final int UNTIL_CLOSE = 2;
  private static final int SIZE = 3;
  private static final int DATA = 4;
  private static final int DATA_END = 5;
  private static final int TRAILERS = 6;
  private static final int FAILED = 7;

  /** The first stretch of a head copied into the array: most heads are shorter. */
  private static final int FIRST_COPY_BYTES = 512;
  private static final long LFS = ByteWords.repeated('\n');

  private static final AsciiString CHUNKED = AsciiString.cached("chunked");

  /** Per event-loop thread: a head is copied here whole and read from the array. */
  private static final FastThreadLocal<byte[]> HEAD_BYTES = new FastThreadLocal<>() {
    @Override
    protected byte[] initialValue() {
      return new byte[4096];
    }
  };

  private final int maxStartLineBytes;
  private final int maxHeaderBytes;

  private int state = HEAD;
  /** Of the head being received: the bytes (from the reader index) known to hold whole lines. */
  private int headScanned;
  /** Of the head being received: where its header lines start (from the reader index), once known. */
  private int headersStart;
  /** Of the head being received: the header lines found whole so far. */
  private int headerLines;
  /**
   * Of the head being received: where each line found whole so far ends (its CR, from the reader index),
   * the start line's first, so the head is read without searching for its line ends again.
   */
  private int[] lineEnds = new int[32];
  /** This connection's previous head's header lines, whose repeats are not read again. */
  private final PreviousHeadLines previous = new PreviousHeadLines();
  /** While a head is searched: the event loop's array it is copied into, and how much of it is there. */
  private byte[] head;
  private int copied;
  private long bodyLeft;
  private int dataLeft;
  private int trailerBytes;
  /** The body's trailers, made at the first one (most bodies have none). */
  private HttpHeaders trailers;
  /** Whether the data being gathered from one read is a copy (else a slice of the read). */
  private boolean dataCopied;
  // the framing headers of the head just read
  private String contentLength;
  private int contentLengths;
  private boolean transferEncoding;

  protected Http1MessageDecoder(int maxStartLineBytes, int maxHeaderBytes) {
    this.maxStartLineBytes = maxStartLineBytes;
    this.maxHeaderBytes = maxHeaderBytes;
  }

  /**
   * Reads the start line in {@code bytes[0, lineEnd)} and hands the message on, with {@code headers}, as
   * its framing says ({@link #contentLength}, {@link #transferEncoding}), choosing how its body is read ({@link #bodyOfLength}, {@link #chunkedBody},
   * {@link #bodyUntilClose}; none when it has no body). {@code in} is at the body's first byte.
   */
  protected abstract void readMessage(byte[] bytes, int lineEnd, HttpHeaders headers, ByteBuf in,
      List<Object> out) throws FramingException;

  /** What a failed message is handed on as: the message or body piece whose result is {@code failure}. */
  protected abstract Object failed(boolean inHead, FramingException failure);

  /**
   * Whether header lines are read leniently: white space before a colon dropped, and an obsolete folded
   * line joined to the value before it. RFC 9112 asks a server to refuse both in a request, and lets a
   * client accept them in a response.
   */
  protected abstract boolean lenientHeaderLines();

  /** How many header lines the headers of a head are made with room for, beyond the head's own. */
  protected abstract int headerRoom();

  @Override
  protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    switch (state) {
      case HEAD -> {
        try {
          readHead(in, out);
        } catch (FramingException e) {
          fail(in, out, null, true, e);
        }
      }
      case FIXED -> {
        int n = (int) Math.min(bodyLeft, in.readableBytes());
        if (n == 0) {
          return;
        }
        ByteBuf data = in.readRetainedSlice(n);
        bodyLeft -= n;
        if (bodyLeft == 0) {
          state = HEAD;
          out.add(new DefaultLastHttpContent(data, EmptyHttpHeaders.INSTANCE));
        } else {
          out.add(new DefaultHttpContent(data));
        }
      }
      case UNTIL_CLOSE -> {
        if (in.isReadable()) {
          out.add(new DefaultHttpContent(in.readRetainedSlice(in.readableBytes())));
        }
      }
      case FAILED -> in.skipBytes(in.readableBytes());
      default -> dechunk(ctx, in, out);
    }
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    super.decodeLast(ctx, in, out);
    if (state == UNTIL_CLOSE) {
      state = HEAD;
      out.add(LastHttpContent.EMPTY_LAST_CONTENT); // the connection's end is the body's
    } else if (state == HEAD && in.isReadable()) {
      closedInHead(in, out);
    }
    // a body cut short by the close gets no last piece: it never ended
  }

  /** The connection closed with part of a head read: by default, the message fails. */
  protected void closedInHead(ByteBuf in, List<Object> out) {
    fail(in, out, null, true, new FramingException(Problem.MALFORMED,
        "the connection closed in the middle of a message head"));
  }

  // ---- what a subclass chooses for the body

  /** The body is the next {@code length} bytes (more than none). */
  protected final void bodyOfLength(long length) {
    bodyLeft = length;
    state = FIXED;
  }

  protected final void chunkedBody() {
    state = SIZE;
  }

  protected final void bodyUntilClose() {
    state = UNTIL_CLOSE;
  }

  // ---- heads

  /** Reads a head if all of it is here, and hands it on with what its framing implies. */
  private void readHead(ByteBuf in, List<Object> out) throws FramingException {
    int from = in.readerIndex();
    int to = in.writerIndex();
    if (headScanned == 0) {
      // what may precede a start line (a stray CRLF after a body, say) is skipped, as Netty does
      while (from < to && (in.getByte(from) & 0xff) <= ' ') {
        from++;
      }
      in.readerIndex(from);
    }
    int headEnd;
    byte[] bytes;
    head = HEAD_BYTES.get();
    copied = 0;
    try {
      headEnd = findHeadEnd(in, from, to - from);
      bytes = head;
    } finally {
      head = null; // the event loop's array: kept by none of its decoders between reads
    }
    if (headEnd < 0) {
      return;
    }
    in.readerIndex(from + headEnd);
    headScanned = 0;
    HttpHeaders headers = readHeaderLines(bytes);
    readMessage(bytes, lineEnds[0], headers, in, out);
  }

  /**
   * The length of the head starting at {@code from}, up to and with the empty line that ends it, or -1
   * if it has not all arrived yet; lines already found whole are not searched again. The start line may
   * be as long as {@code maxStartLineBytes}, the header lines after it together as long as
   * {@code maxHeaderBytes}. The head is copied into the array {@link #head} as the search needs it, so
   * that what follows it (a body) is hardly copied.
   */
  private int findHeadEnd(ByteBuf in, int from, int available) throws FramingException {
    int lineStart = headScanned;
    while (true) {
      boolean startLine = lineStart == 0;
      int limit = startLine ? maxStartLineBytes + 2 : headersStart + maxHeaderBytes + 2;
      int lf = indexOfLf(in, from, lineStart, Math.min(available, limit));
      if (lf < 0) {
        if (available >= limit) {
          throw startLine
              ? new FramingException(Problem.START_LINE_TOO_LONG, "a start line longer than " + maxStartLineBytes + " bytes")
              : new FramingException(Problem.HEAD_TOO_LONG, "header lines longer than " + maxHeaderBytes + " bytes");
        }
        headScanned = lineStart;
        return -1;
      }
      if (lf == lineStart || head[lf - 1] != '\r') {
        throw new FramingException(Problem.MALFORMED, "a head line not ended by CRLF");
      }
      if (startLine) {
        headersStart = lf + 1;
        headerLines = 0;
        lineEnds[0] = lf - 1;
      } else if (lf - 1 == lineStart) {
        return lf + 1; // the empty line
      } else {
        headerLines++;
        if (headerLines == lineEnds.length) {
          lineEnds = Arrays.copyOf(lineEnds, 2 * headerLines);
        }
        lineEnds[headerLines] = lf - 1;
      }
      lineStart = lf + 1;
    }
  }

  /**
   * The index of the first LF in the head's bytes {@code [start, end)} (from the head's first byte), or
   * -1; eight bytes a step. The head's bytes are copied from {@code in} into {@link #head} ahead of the
   * search, a growing stretch at a time.
   */
  private int indexOfLf(ByteBuf in, int from, int start, int end) {
    int i = start;
    while (true) {
      if (copied < end && copied - i < Long.BYTES) {
        copyHead(in, from, Math.min(end, Math.max(i + FIRST_COPY_BYTES, 2 * copied)));
      }
      int stop = Math.min(copied, end);
      byte[] bytes = head;
      for (; i <= stop - Long.BYTES; i += Long.BYTES) {
        long marks = ByteWords.matches(ByteWords.word(bytes, i), LFS);
        if (marks != 0) {
          return ByteWords.firstMarked(i, marks);
        }
      }
      if (stop == end) {
        for (; i < end; i++) {
          if (bytes[i] == '\n') {
            return i;
          }
        }
        return -1;
      }
    }
  }

  /** Copies the head's bytes {@code [copied, to)} from {@code in} into {@link #head}, growing it if need be. */
  private void copyHead(ByteBuf in, int from, int to) {
    if (head.length < to) {
      head = Arrays.copyOf(head, Math.max(to, 2 * head.length));
      HEAD_BYTES.set(head);
    }
    in.getBytes(from + copied, head, copied, to - copied);
    copied = to;
  }

  /** The header lines of the head in {@code bytes}, read into new headers; notes the framing ones. */
  private HttpHeaders readHeaderLines(byte[] bytes) throws FramingException {
    contentLength = null;
    contentLengths = 0;
    transferEncoding = false;
    boolean lenient = lenientHeaderLines();
    FlatHttpHeaders headers = FlatHttpHeaders.withRoomFor(headerLines + headerRoom());
    AsciiString[] names = HeaderNameCache.table();
    String[] values = HeaderValueCache.table();
    AsciiString name = null;
    String value = null;
    int remembered = previous.begin(headerLines);
    boolean folded = false;
    for (int line = 1; line <= headerLines; line++) {
      int lineStart = lineEnds[line - 1] + 2;
      int lineEnd = lineEnds[line];
      if (line <= remembered && previous.matches(line, bytes, lineStart, lineEnd)) {
        // the previous head's line, byte for byte: taken as it was read then (checked then)
        if (name != null) {
          add(headers, names, name, value);
        }
        name = previous.name(line);
        value = previous.value(line);
        noteFraming(previous.kind(line), value);
        continue;
      }
      if (isOws(bytes[lineStart])) { // an obsolete folded line: part of the value before it
        if (!lenient || name == null) {
          throw new FramingException(Problem.MALFORMED, "a header line that starts with white space");
        }
        int from = skipOws(bytes, lineStart, lineEnd);
        int to = trimEnd(bytes, from, lineEnd);
        checkFieldValue(bytes, from, to);
        value = value + ' ' + HeaderValueCache.latin1(bytes, from, to - from);
        folded = true;
        continue;
      }
      if (name != null) {
        add(headers, names, name, value);
      }
      int nameEnd = lineStart;
      while (nameEnd < lineEnd && bytes[nameEnd] != ':' && !isOws(bytes[nameEnd])) {
        nameEnd++;
      }
      int colon = lenient ? skipOws(bytes, nameEnd, lineEnd) : nameEnd; // RFC 9112 5.1
      if (colon == lineEnd || bytes[colon] != ':' || nameEnd == lineStart) {
        throw new FramingException(Problem.MALFORMED, "a header line without a name and a colon");
      }
      name = HeaderNameCache.name(names, bytes, lineStart, nameEnd - lineStart);
      int from = skipOws(bytes, colon + 1, lineEnd);
      int valueLength = trimEnd(bytes, from, lineEnd) - from;
      checkFieldValue(bytes, from, from + valueLength);
      int kind = kind(name);
      value = kind == SECRET ? HeaderValueCache.latin1(bytes, from, valueLength)
          : HeaderValueCache.value(values, bytes, from, valueLength);
      noteFraming(kind, value);
      previous.read(line, name, kind == SECRET ? null : value, kind);
    }
    if (name != null) {
      add(headers, names, name, value);
    }
    if (!folded) {
      previous.remember(bytes, headersStart, lineEnds, headerLines);
    }
    return headers;
  }

  /** Notes a Content-Length or Transfer-Encoding line of the head being read. */
  private void noteFraming(int kind, String value) {
    if (kind == CONTENT_LENGTH) {
      contentLength = value;
      contentLengths++;
    } else if (kind == TRANSFER_ENCODING) {
      transferEncoding = true;
    }
  }

  private static final long DELS = ByteWords.repeated((char) 0x7f);

  private static final int OTHER = 0;
  /** Credentials and cookies: their values are never kept for reuse. */
  private static final int SECRET = 1;
  private static final int CONTENT_LENGTH = 2;
  private static final int TRANSFER_ENCODING = 3;

  /**
   * What a header's name means to the decoder. No two of the names it looks for have the same length,
   * so the length picks the one name to compare with.
   */
  private static int kind(CharSequence name) {
    return switch (name.length()) {
      case 6 -> isNamed(name, HttpHeaderNames.COOKIE) ? SECRET : OTHER;
      case 9 -> isNamed(name, HeaderNameCache.X_API_KEY) ? SECRET : OTHER;
      case 10 -> isNamed(name, HttpHeaderNames.SET_COOKIE) ? SECRET : OTHER;
      case 13 -> isNamed(name, HttpHeaderNames.AUTHORIZATION) ? SECRET : OTHER;
      case 14 -> isNamed(name, HttpHeaderNames.CONTENT_LENGTH) ? CONTENT_LENGTH : OTHER;
      case 17 -> isNamed(name, HttpHeaderNames.TRANSFER_ENCODING) ? TRANSFER_ENCODING : OTHER;
      case 19 -> isNamed(name, HttpHeaderNames.PROXY_AUTHORIZATION) ? SECRET : OTHER;
      default -> OTHER;
    };
  }

  /** Adds a header read from a head: a name the table keeps is a token already, any other is validated. */
  private static void add(FlatHttpHeaders headers, AsciiString[] names, AsciiString name, String value)
      throws FramingException {
    try {
      headers.addDecoded(name, HeaderNameCache.keeps(names, name), value);
    } catch (IllegalArgumentException e) {
      throw new FramingException(Problem.MALFORMED, "an invalid header: " + e.getMessage());
    }
  }

  /**
   * Refuses a field value with a control character other than horizontal tab (RFC 9110 5.5), as Netty's
   * header validation would: checked here on the head's bytes, once, so adding the value need not.
   */
  private static void checkFieldValue(byte[] bytes, int from, int to) throws FramingException {
    int i = from;
    // eight bytes at a time while none is a control character, DEL or beyond ASCII; a word with one
    // (a tab, obs-text, or what is refused) is read byte by byte from there on
    while (i + Long.BYTES <= to) {
      long word = ByteWords.word(bytes, i);
      if ((ByteWords.controlOrNonAscii(word) | ByteWords.matches(word, DELS)) != 0) {
        break;
      }
      i += Long.BYTES;
    }
    for (; i < to; i++) {
      int b = bytes[i] & 0xff;
      if (b < ' ' && b != '\t' || b == 0x7f) {
        throw new FramingException(Problem.MALFORMED, "a header value with a control character");
      }
    }
  }

  /** The Content-Length value of the head just read (the last, if several), or null if it has none. */
  protected final String contentLength() {
    return contentLength;
  }

  /** How many Content-Length lines the head just read has. */
  protected final int contentLengths() {
    return contentLengths;
  }

  /** Whether the head just read has Transfer-Encoding. */
  protected final boolean transferEncoding() {
    return transferEncoding;
  }

  /** {@code value} as a Content-Length: digits only. */
  protected static long parseLength(String value) throws FramingException {
    if (value.isEmpty() || value.length() > 18) {
      throw new FramingException(Problem.MALFORMED, "an invalid Content-Length");
    }
    long length = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        throw new FramingException(Problem.MALFORMED, "an invalid Content-Length");
      }
      length = length * 10 + (c - '0');
    }
    return length;
  }

  /** Whether chunked is the last transfer coding; chunked anywhere else fails the message. */
  protected static boolean lastCodingIsChunked(HttpHeaders headers) throws FramingException {
    List<String> fields = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    boolean chunkedLast = false;
    for (int f = 0; f < fields.size(); f++) {
      String field = fields.get(f);
      int start = 0;
      while (start <= field.length()) {
        int comma = field.indexOf(',', start);
        int end = comma < 0 ? field.length() : comma;
        int from = start;
        int to = end;
        while (from < to && isOws((byte) field.charAt(from))) {
          from++;
        }
        while (to > from && isOws((byte) field.charAt(to - 1))) {
          to--;
        }
        if (to > from) {
          if (chunkedLast) {
            throw new FramingException(Problem.MALFORMED, "chunked is not the last transfer coding");
          }
          chunkedLast = to - from == CHUNKED.length() && CHUNKED.regionMatches(true, 0, field, from, to - from);
        }
        start = end + 1;
      }
    }
    return chunkedLast;
  }

  protected static boolean isNamed(CharSequence name, AsciiString expected) {
    return name.length() == expected.length()
        && (!(name instanceof AsciiString ascii) || ascii.hashCode() == expected.hashCode()) // ignores case
        && expected.contentEqualsIgnoreCase(name);
  }

  protected static boolean startsWith(byte[] bytes, int from, int to, byte[] prefix) {
    if (to - from < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[from + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  protected static int skipOws(byte[] bytes, int from, int to) {
    while (from < to && isOws(bytes[from])) {
      from++;
    }
    return from;
  }

  protected static int trimEnd(byte[] bytes, int from, int to) {
    while (to > from && isOws(bytes[to - 1])) {
      to--;
    }
    return to;
  }

  /** Optional white space around a field value: space and horizontal tab only (RFC 9110 5.6.3). */
  protected static boolean isOws(byte b) {
    return b == ' ' || b == '\t';
  }

  // ---- chunked bodies

  /** Reads chunk framing and data from {@code in} until it runs out or the body ends. */
  private void dechunk(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    ByteBuf data = null; // this read's data: a slice of it while one chunk, then a copy
    try {
      while (state != HEAD && state != FAILED) {
        if (state == SIZE) {
          int size = readSizeLine(in);
          if (size < 0) {
            break; // the line is not all here yet
          }
          if (size == 0) {
            state = TRAILERS;
            trailerBytes = 0;
          } else {
            dataLeft = size;
            state = DATA;
          }
        } else if (state == DATA) {
          int n = Math.min(dataLeft, in.readableBytes());
          if (n == 0) {
            break;
          }
          data = append(ctx, data, in, n);
          dataLeft -= n;
          if (dataLeft == 0) {
            state = DATA_END;
          }
        } else if (state == DATA_END) {
          if (in.readableBytes() < 2) {
            break;
          }
          if (in.readByte() != '\r' || in.readByte() != '\n') {
            fail(in, out, data, false, new FramingException(Problem.MALFORMED, "no CRLF after a chunk's data"));
            data = null;
            return;
          }
          state = SIZE;
        } else if (!readTrailerLine(in)) { // TRAILERS
          break;
        }
      }
      if (state == HEAD) { // the body ended: its last piece carries the data still held, and the trailers
        out.add(data == null && trailers == null ? LastHttpContent.EMPTY_LAST_CONTENT
            : new DefaultLastHttpContent(data != null ? data : Unpooled.EMPTY_BUFFER,
                trailers != null ? trailers : EmptyHttpHeaders.INSTANCE));
        data = null;
        trailers = null;
      } else if (data != null) {
        out.add(new DefaultHttpContent(data));
        data = null;
      }
    } catch (FramingException e) {
      fail(in, out, data, false, e);
    }
  }

  /**
   * {@code data} with the next {@code n} bytes of {@code in} added: the read's first chunk is a slice of
   * it, and a second one turns it into a copy with room for all the read still holds.
   */
  private ByteBuf append(ChannelHandlerContext ctx, ByteBuf data, ByteBuf in, int n) {
    if (data == null) {
      dataCopied = false;
      return in.readRetainedSlice(n);
    }
    if (!dataCopied) {
      ByteBuf copy = ctx.alloc().buffer(data.readableBytes() + in.readableBytes());
      copy.writeBytes(data);
      data.release();
      data = copy;
      dataCopied = true;
    }
    data.writeBytes(in, n);
    return data;
  }

  /** The size of the chunk whose size line {@code in} starts with, consumed; -1 if the line is incomplete. */
  private int readSizeLine(ByteBuf in) throws FramingException {
    int from = in.readerIndex();
    int lf = in.indexOf(from, from + Math.min(in.readableBytes(), MAX_SIZE_LINE_BYTES), (byte) '\n');
    if (lf < 0) {
      if (in.readableBytes() >= MAX_SIZE_LINE_BYTES) {
        throw new FramingException(Problem.MALFORMED, "a chunk size line longer than " + MAX_SIZE_LINE_BYTES + " bytes");
      }
      return -1;
    }
    if (lf == from || in.getByte(lf - 1) != '\r') {
      throw new FramingException(Problem.MALFORMED, "a chunk size line not ended by CRLF");
    }
    int end = lf - 1; // the CR
    long size = 0;
    int i = from;
    for (; i < end; i++) {
      int digit = StringUtil.decodeHexNibble(in.getByte(i));
      if (digit < 0) {
        break;
      }
      if (i - from == MAX_SIZE_DIGITS) {
        throw new FramingException(Problem.MALFORMED, "a chunk size of more than " + MAX_SIZE_DIGITS + " digits");
      }
      size = size * 16 + digit;
    }
    if (i == from || size > Integer.MAX_VALUE) {
      throw new FramingException(Problem.MALFORMED, "no valid chunk size");
    }
    while (i < end && (in.getByte(i) == ' ' || in.getByte(i) == '\t')) {
      i++;
    }
    if (i < end && in.getByte(i) != ';') {
      throw new FramingException(Problem.MALFORMED, "a chunk size followed by neither CRLF nor an extension");
    }
    for (; i < end; i++) { // an extension: ignored, but no control bytes in it (a CR would end the line)
      byte b = in.getByte(i);
      if (b < ' ' && b != '\t' || b == 0x7f) {
        throw new FramingException(Problem.MALFORMED, "a control byte in a chunk extension");
      }
    }
    in.readerIndex(lf + 1);
    return (int) size;
  }

  /** Reads one trailer line if all of it is here: false if not; the empty line ends the body. */
  private boolean readTrailerLine(ByteBuf in) throws FramingException {
    int from = in.readerIndex();
    int lf = in.indexOf(from, in.writerIndex(), (byte) '\n');
    if (lf < 0) {
      if (trailerBytes + in.readableBytes() > MAX_TRAILER_BYTES) {
        throw new FramingException(Problem.MALFORMED, "trailers longer than " + MAX_TRAILER_BYTES + " bytes");
      }
      return false;
    }
    if (lf == from || in.getByte(lf - 1) != '\r') {
      throw new FramingException(Problem.MALFORMED, "a trailer line not ended by CRLF");
    }
    trailerBytes += lf + 1 - from;
    if (trailerBytes > MAX_TRAILER_BYTES) {
      throw new FramingException(Problem.MALFORMED, "trailers longer than " + MAX_TRAILER_BYTES + " bytes");
    }
    int end = lf - 1;
    in.readerIndex(lf + 1);
    if (end == from) {
      state = HEAD; // the empty line: the body is complete
      return true;
    }
    int colon = in.indexOf(from, end, (byte) ':');
    if (colon <= from) {
      throw new FramingException(Problem.MALFORMED, "a trailer line without a name");
    }
    int valueFrom = colon + 1;
    int valueTo = end;
    while (valueFrom < valueTo && isOws(in.getByte(valueFrom))) {
      valueFrom++;
    }
    while (valueTo > valueFrom && isOws(in.getByte(valueTo - 1))) {
      valueTo--;
    }
    String name = in.toString(from, colon - from, StandardCharsets.US_ASCII);
    String value = in.toString(valueFrom, valueTo - valueFrom, StandardCharsets.ISO_8859_1);
    if (trailers == null) {
      trailers = FlatHttpHeaders.TRAILERS_FACTORY.newHeaders();
    }
    try {
      trailers.add(name, value); // validated: names, values, and no framing headers
    } catch (IllegalArgumentException e) {
      throw new FramingException(Problem.MALFORMED, "an invalid trailer: " + e.getMessage());
    }
    return true;
  }

  /** Fails the message; the connection's further input is ignored. */
  private void fail(ByteBuf in, List<Object> out, ByteBuf data, boolean inHead, FramingException failure) {
    if (data != null) {
      data.release();
    }
    trailers = null;
    state = FAILED;
    headScanned = 0;
    in.skipBytes(in.readableBytes());
    out.add(failed(inHead, failure));
  }

  /** What a message got wrong, as far as the answer to it depends on it. */
  public enum Problem {
    /** The start line (a request's target, mostly) is longer than allowed. */
    START_LINE_TOO_LONG,
    /** The header lines are longer than allowed. */
    HEAD_TOO_LONG,
    /** The body's length is ambiguous: Content-Length with Transfer-Encoding, or lengths that differ. */
    AMBIGUOUS_LENGTH,
    /** Anything else: the message is not well-formed HTTP/1.1. */
    MALFORMED
  }

  /** Framing a peer got wrong. No stack trace: it says what was wrong, not where we noticed. */
  public static final class FramingException extends Exception {
    private static final long serialVersionUID = 1L;
    private final Problem problem;

    public FramingException(Problem problem, String message) {
      super(message, null, false, false);
      this.problem = problem;
    }

    public Problem problem() {
      return problem;
    }
  }
}
