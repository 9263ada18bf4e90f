// A few stroke icons drawn for Sluice (24px grid, 1.75 stroke) so the app needs no icon font or CDN.
import type { ReactElement, ReactNode, SVGProps } from 'react';
import type { Category } from './categories';

type IconProps = SVGProps<SVGSVGElement> & { size?: number };

function Svg({ size = 16, children, ...rest }: IconProps & { children: ReactNode }): ReactElement {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.75}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...rest}
    >
      {children}
    </svg>
  );
}

export function SourceIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <ellipse cx="12" cy="6" rx="7" ry="3" />
      <path d="M5 6v6c0 1.7 3.1 3 7 3s7-1.3 7-3V6" />
      <path d="M5 12v6c0 1.7 3.1 3 7 3s7-1.3 7-3v-6" />
    </Svg>
  );
}

export function TransformIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <path d="M4 7h11" />
      <path d="M12 4l3 3-3 3" />
      <path d="M20 17H9" />
      <path d="M12 14l-3 3 3 3" />
    </Svg>
  );
}

export function QualityIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <path d="M12 3l7 3v5c0 4.5-3 8.2-7 10-4-1.8-7-5.5-7-10V6z" />
      <path d="M9 12l2 2 4-4" />
    </Svg>
  );
}

export function SinkIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <path d="M12 3v11" />
      <path d="M8 10l4 4 4-4" />
      <path d="M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3" />
    </Svg>
  );
}

export function UnknownIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <circle cx="12" cy="12" r="9" />
      <path d="M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6V14" />
      <path d="M12 17.5v.01" />
    </Svg>
  );
}

export function CategoryIcon({ category, ...p }: IconProps & { category: Category | undefined }): ReactElement {
  switch (category) {
    case 'source':
      return <SourceIcon {...p} />;
    case 'transform':
      return <TransformIcon {...p} />;
    case 'quality':
      return <QualityIcon {...p} />;
    case 'sink':
      return <SinkIcon {...p} />;
    default:
      return <UnknownIcon {...p} />;
  }
}

export function SearchIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <circle cx="11" cy="11" r="6.5" />
      <path d="M20 20l-4.2-4.2" />
    </Svg>
  );
}

export function CloseIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p} strokeWidth={2}>
      <path d="M6 6l12 12M18 6L6 18" />
    </Svg>
  );
}

export function SunIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <circle cx="12" cy="12" r="4" />
      <path d="M12 2.5v2M12 19.5v2M4.6 4.6 6 6M18 18l1.4 1.4M2.5 12h2M19.5 12h2M4.6 19.4 6 18M18 6l1.4-1.4" />
    </Svg>
  );
}

export function MoonIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <path d="M20 14.5A8 8 0 0 1 9.5 4 8 8 0 1 0 20 14.5z" />
    </Svg>
  );
}

export function AlertIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <circle cx="12" cy="12" r="9" />
      <path d="M12 7.5v5.5" />
      <path d="M12 16.5v.01" />
    </Svg>
  );
}

export function PlusIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p} strokeWidth={2}>
      <path d="M12 5v14M5 12h14" />
    </Svg>
  );
}

export function TrashIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <path d="M4 7h16" />
      <path d="M9.5 7V4.5h5V7" />
      <path d="M6.5 7l1 12.5h9l1-12.5" />
    </Svg>
  );
}

export function ArrowUpIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <path d="M12 19V5M6 11l6-6 6 6" />
    </Svg>
  );
}

export function ArrowDownIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <path d="M12 5v14M6 13l6 6 6-6" />
    </Svg>
  );
}

export function UndoIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <path d="M9 14L4 9l5-5" />
      <path d="M4 9h10.5a5.5 5.5 0 0 1 0 11H11" />
    </Svg>
  );
}

export function RedoIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <path d="M15 14l5-5-5-5" />
      <path d="M20 9H9.5a5.5 5.5 0 0 0 0 11H13" />
    </Svg>
  );
}

export function PlayIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <path d="M7 4.5v15l12-7.5z" fill="currentColor" />
    </Svg>
  );
}

export function DownloadIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <path d="M12 4v11M7.5 10.5L12 15l4.5-4.5" />
      <path d="M5 19h14" />
    </Svg>
  );
}

export function FolderIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <path d="M3.5 7.5A1.5 1.5 0 0 1 5 6h4l2 2h8a1.5 1.5 0 0 1 1.5 1.5v8A1.5 1.5 0 0 1 19 19H5a1.5 1.5 0 0 1-1.5-1.5z" />
    </Svg>
  );
}

export function CopyIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <rect x="8.5" y="8.5" width="11" height="11" rx="2" />
      <path d="M15.5 8.5V6a1.5 1.5 0 0 0-1.5-1.5H6A1.5 1.5 0 0 0 4.5 6v8A1.5 1.5 0 0 0 6 15.5h2.5" />
    </Svg>
  );
}

export function ChevronDownIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <path d="M6 9l6 6 6-6" />
    </Svg>
  );
}

export function RefreshIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <path d="M19.5 12a7.5 7.5 0 1 1-2.2-5.3" />
      <path d="M19.5 4.5v4.5H15" />
    </Svg>
  );
}

export function CheckIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p} strokeWidth={2}>
      <path d="M5 12.5l4.5 4.5L19 7.5" />
    </Svg>
  );
}

export function SpinnerIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p} className={`spin ${p.className ?? ''}`}>
      <path d="M12 3.5a8.5 8.5 0 1 1-8.5 8.5" />
    </Svg>
  );
}

export function LogoMark({ size = 20 }: { size?: number }): ReactElement {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="var(--accent)" />
      <path d="M9 10.5h9a3.5 3.5 0 0 1 0 7h-4a3.5 3.5 0 0 0 0 7h9" fill="none" stroke="#fff" strokeWidth="2.75" strokeLinecap="round" />
    </svg>
  );
}

export function LayoutIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <rect x="3" y="9" width="5" height="6" rx="1" />
      <rect x="16" y="4" width="5" height="6" rx="1" />
      <rect x="16" y="14" width="5" height="6" rx="1" />
      <path d="M8 12h4M12 7v10M12 7h4M12 17h4" />
    </Svg>
  );
}

export function KeyboardIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <rect x="2.5" y="6" width="19" height="12" rx="2" />
      <path d="M6 10h1M9.5 10h1M13 10h1M16.5 10h1M7.5 14h9" />
    </Svg>
  );
}

export function SaveIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <path d="M5 4h11l3 3v12a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1z" />
      <path d="M8 4v5h7V4M8 20v-6h8v6" />
    </Svg>
  );
}

export function FileIcon(p: IconProps): ReactElement {
  return (
    <Svg {...p}>
      <path d="M6 3.5h8l4 4v13H6z" />
      <path d="M14 3.5v4h4" />
    </Svg>
  );
}
