// Optional native arithmetic for the math subgraph's worker threads, with GMP: the product of prime powers
// and decimal conversion, the two steps that dominate a million-digit ratio of factorials. V8's BigInt does
// both in pure JavaScript's stead; lib/math/native.ts loads this when it was built (npm install builds it if
// a C compiler and GMP's headers are there) and falls back to BigInt otherwise. Results are identical
// (test/native-bignum.test.ts). GMP is linked dynamically (LGPL). Three more functions serve only the benchmarks:
// a quotient and n! (bench/ncr.ts: the tutorial's way of computing n choose r, done with GMP), and GMP's own
// binomial (bench/stack.ts: the floor for a big ncr).

#include <gmp.h>
#include <math.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LEAF 16

static napi_value fail(napi_env env, const char *message) {
  napi_throw_range_error(env, NULL, message);
  return NULL;
}

// out = the product of factors[lo, hi), as a balanced tree so that the big multiplications meet operands of
// similar size.
static void product_of_list(mpz_t out, const uint32_t *factors, size_t lo, size_t hi) {
  if (hi - lo <= LEAF) {
    mpz_set_ui(out, 1);
    for (size_t i = lo; i < hi; i++) mpz_mul_ui(out, out, factors[i]);
    return;
  }
  size_t mid = lo + (hi - lo) / 2;
  mpz_t right;
  mpz_init(right);
  product_of_list(out, factors, lo, mid);
  product_of_list(right, factors, mid, hi);
  mpz_mul(out, out, right);
  mpz_clear(right);
}

// out = prod(primes[i] ^ exponents[i]) for i < count, by exponent-bit grouping, as the BigInt engine does
// (lib/math/prime-powers.ts): from the top bit down, out = out^2 * (the product of the primes whose exponent has
// this bit set). Every big multiplication then meets operands of similar size, where multiplying prime powers
// in a tree would meet a few huge powers of small primes with many small ones (a factorial's exponents). The
// power of two is a final shift. Returns 0 when out of memory for the groups.
static int prime_powers(mpz_t out, const uint32_t *primes, const double *exponents, size_t count) {
  mp_bitcnt_t twos = 0;
  uint64_t top = 0;
  for (size_t i = 0; i < count; i++) {
    uint64_t e = (uint64_t)exponents[i];
    if (primes[i] == 2) twos += (mp_bitcnt_t)e;
    else if (e > top) top = e;
  }
  uint32_t *group = malloc((count > 0 ? count : 1) * sizeof(uint32_t));
  if (group == NULL) return 0;
  mpz_t factor;
  mpz_init(factor);
  mpz_set_ui(out, 1);
  int bit = 63;
  while (bit >= 0 && !((top >> bit) & 1)) bit--;
  for (; bit >= 0; bit--) {
    size_t size = 0;
    for (size_t i = 0; i < count; i++) {
      if (primes[i] != 2 && (((uint64_t)exponents[i] >> bit) & 1)) group[size++] = primes[i];
    }
    mpz_mul(out, out, out);
    if (size > 0) {
      product_of_list(factor, group, 0, size);
      mpz_mul(out, out, factor);
    }
  }
  mpz_clear(factor);
  free(group);
  mpz_mul_2exp(out, out, twos);
  return 1;
}

// n in base 10 as a JavaScript string; clears n.
static napi_value decimal(napi_env env, mpz_t n) {
  size_t size = mpz_sizeinbase(n, 10) + 2;
  char *digits = malloc(size);
  if (digits == NULL) {
    mpz_clear(n);
    return fail(env, "out of memory for the decimal digits");
  }
  mpz_get_str(digits, 10, n);
  mpz_clear(n);
  napi_value result;
  napi_status status = napi_create_string_latin1(env, digits, strlen(digits), &result);
  free(digits);
  return status == napi_ok ? result : fail(env, "could not make the result string");
}

static int typed_array(napi_env env, napi_value value, napi_typedarray_type want, void **data, size_t *length) {
  bool is_typed_array = false;
  napi_typedarray_type type;
  if (napi_is_typedarray(env, value, &is_typed_array) != napi_ok || !is_typed_array) return 0;
  if (napi_get_typedarray_info(env, value, &type, length, data, NULL, NULL) != napi_ok) return 0;
  return type == want;
}

// out = the unsigned big-endian integer in bytes[0, length).
static void import_bytes(mpz_t out, const void *bytes, size_t length) {
  if (length > 0) mpz_import(out, length, 1, 1, 1, 0, bytes);
  else mpz_set_ui(out, 0);
}

// primePowersDecimal(primes: Uint32Array, exponents: Float64Array): string
static napi_value prime_powers_decimal(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok || argc < 2) {
    return fail(env, "primePowersDecimal takes (primes: Uint32Array, exponents: Float64Array)");
  }
  void *primes, *exponents;
  size_t prime_count, exponent_count;
  if (!typed_array(env, args[0], napi_uint32_array, &primes, &prime_count) ||
      !typed_array(env, args[1], napi_float64_array, &exponents, &exponent_count)) {
    return fail(env, "primePowersDecimal takes (primes: Uint32Array, exponents: Float64Array)");
  }
  if (exponent_count > prime_count) return fail(env, "there are more exponents than primes");
  const double *e = exponents;
  for (size_t i = 0; i < exponent_count; i++) {
    if (!(e[i] >= 0 && e[i] <= 4294967295.0) || floor(e[i]) != e[i]) {
      return fail(env, "every exponent must be an integer from 0 to 2^32 - 1");
    }
  }
  mpz_t result;
  mpz_init(result);
  if (!prime_powers(result, primes, e, exponent_count)) {
    mpz_clear(result);
    return fail(env, "out of memory for the prime powers");
  }
  return decimal(env, result);
}

// bytesDecimal(bytes: Uint8Array): string, the bytes an unsigned big-endian integer
static napi_value bytes_decimal(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  void *bytes;
  size_t length;
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok || argc < 1 ||
      !typed_array(env, args[0], napi_uint8_array, &bytes, &length)) {
    return fail(env, "bytesDecimal takes (bytes: Uint8Array)");
  }
  mpz_t result;
  mpz_init(result);
  import_bytes(result, bytes, length);
  return decimal(env, result);
}

// bytesQuotientDecimal(dividend: Uint8Array, divisors: Uint8Array[]): string, the floor of the dividend over the
// product of the divisors, each an unsigned big-endian integer. The tutorial's way of computing n choose r
// (three factorial values, then divide) with GMP's arithmetic, for the benchmark that compares it with prime
// exponents on equal terms.
static napi_value bytes_quotient_decimal(napi_env env, napi_callback_info info) {
  const char *usage = "bytesQuotientDecimal takes (dividend: Uint8Array, divisors: Uint8Array[])";
  size_t argc = 2;
  napi_value args[2];
  void *bytes;
  size_t length;
  bool is_array = false;
  uint32_t count = 0;
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok || argc < 2 ||
      !typed_array(env, args[0], napi_uint8_array, &bytes, &length) || napi_is_array(env, args[1], &is_array) != napi_ok ||
      !is_array || napi_get_array_length(env, args[1], &count) != napi_ok) {
    return fail(env, usage);
  }
  mpz_t result, divisor, factor;
  mpz_init(result);
  mpz_init_set_ui(divisor, 1);
  mpz_init(factor);
  import_bytes(result, bytes, length);
  for (uint32_t i = 0; i < count; i++) {
    napi_value element;
    if (napi_get_element(env, args[1], i, &element) != napi_ok || !typed_array(env, element, napi_uint8_array, &bytes, &length)) {
      mpz_clears(result, divisor, factor, NULL);
      return fail(env, usage);
    }
    import_bytes(factor, bytes, length);
    mpz_mul(divisor, divisor, factor);
  }
  mpz_clear(factor);
  if (mpz_sgn(divisor) == 0) {
    mpz_clears(result, divisor, NULL);
    return fail(env, "division by zero");
  }
  mpz_fdiv_q(result, result, divisor);
  mpz_clear(divisor);
  return decimal(env, result);
}

// factorialBytes(n: number): Uint8Array, n! as an unsigned big-endian integer (0! = 1! = 0x01), in a fresh
// ArrayBuffer that can be transferred to another thread. GMP's mpz_fac_ui, for the ncr benchmark's fastest form
// of the tutorial's way; n is an integer from 0 to 2^32 - 1, and the caller bounds it (10^7! takes 27 MB and
// seconds, and nothing stops it once started).
static napi_value factorial_bytes(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  double n;
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_double(env, args[0], &n) != napi_ok || !(n >= 0 && n <= 4294967295.0) || floor(n) != n) {
    return fail(env, "factorialBytes takes an integer n from 0 to 2^32 - 1");
  }
  mpz_t f;
  mpz_init(f);
  mpz_fac_ui(f, (unsigned long)n);
  size_t length = (mpz_sizeinbase(f, 2) + 7) / 8;
  void *data;
  napi_value buffer, bytes;
  if (napi_create_arraybuffer(env, length, &data, &buffer) != napi_ok) {
    mpz_clear(f);
    return fail(env, "out of memory for the factorial's bytes");
  }
  mpz_export(data, NULL, 1, 1, 1, 0, f);
  mpz_clear(f);
  if (napi_create_typedarray(env, napi_uint8_array, length, buffer, 0, &bytes) != napi_ok) {
    return fail(env, "could not make the factorial's bytes");
  }
  return bytes;
}

// binomialDecimal(n: number, r: number): string, n choose r in decimal with GMP's own mpz_bin_uiui and mpz_get_str:
// the physical floor the benchmark compares a big ncr's end-to-end time with. Integers from 0 to 2^32 - 1, r <= n;
// the caller bounds them (nothing stops the call once started).
static napi_value binomial_decimal(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  double n, r;
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_double(env, args[0], &n) != napi_ok || napi_get_value_double(env, args[1], &r) != napi_ok ||
      !(n >= 0 && n <= 4294967295.0) || floor(n) != n || !(r >= 0 && r <= n) || floor(r) != r) {
    return fail(env, "binomialDecimal takes integers 0 <= r <= n <= 2^32 - 1");
  }
  mpz_t c;
  mpz_init(c);
  mpz_bin_uiui(c, (unsigned long)n, (unsigned long)r);
  return decimal(env, c);
}

NAPI_MODULE_INIT() {
  napi_value fn, version;
  napi_create_function(env, "primePowersDecimal", NAPI_AUTO_LENGTH, prime_powers_decimal, NULL, &fn);
  napi_set_named_property(env, exports, "primePowersDecimal", fn);
  napi_create_function(env, "bytesDecimal", NAPI_AUTO_LENGTH, bytes_decimal, NULL, &fn);
  napi_set_named_property(env, exports, "bytesDecimal", fn);
  napi_create_function(env, "bytesQuotientDecimal", NAPI_AUTO_LENGTH, bytes_quotient_decimal, NULL, &fn);
  napi_set_named_property(env, exports, "bytesQuotientDecimal", fn);
  napi_create_function(env, "factorialBytes", NAPI_AUTO_LENGTH, factorial_bytes, NULL, &fn);
  napi_set_named_property(env, exports, "factorialBytes", fn);
  napi_create_function(env, "binomialDecimal", NAPI_AUTO_LENGTH, binomial_decimal, NULL, &fn);
  napi_set_named_property(env, exports, "binomialDecimal", fn);
  napi_create_string_utf8(env, gmp_version, NAPI_AUTO_LENGTH, &version);
  napi_set_named_property(env, exports, "gmpVersion", version);
  return exports;
}
