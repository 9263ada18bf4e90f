import type { ReactElement } from 'react';
import { AlertIcon } from '../lib/icons';
import { InlineCode } from './InlineCode';
import type { Banner as BannerInfo } from '../store';

export function Banner({ banner, onRetry }: { banner: BannerInfo; onRetry: () => void }): ReactElement {
  return (
    <div className="banner" role="alert" data-testid="error-banner">
      <AlertIcon size={16} className="banner__icon" />
      <div className="banner__text">
        <div className="banner__title">{banner.title}</div>
        {banner.detail && (
          <div className="banner__detail">
            <InlineCode text={banner.detail} />
          </div>
        )}
      </div>
      {banner.retryable && (
        <button type="button" className="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
