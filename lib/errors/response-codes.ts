// Moved to the VerifyNow provider; kept while the sandbox moves there too.
export {
  VerifyNowResponseCode,
  responseCodeName,
  type VerifyNowResponseCodeName,
  type VerifyNowResponseCodeValue,
} from '../providers/verifynow/verifynow-response-codes';
